// The Optimizer base class: parameter groups (PyTorch's param_groups), per-parameter state, the
// learning rate (a number or a schedule) and step(). Each optimizer gives one pure elementwise
// update rule; step() gathers the parameters that have a gradient and hands them to
// applyUpdates, which runs the rule and writes parameters and state in place (one realize).

import { realize } from '../engine';
import { ArgumentError } from '../errors';
import { keep, tidy } from '../lifetime';
import { tensor } from '../ops/creation';
import { noGrad, Tensor } from '../tensor';
import { nonNegative } from './checks';
import { Packs, stateTensorsOf } from './packing';
import type { Schedule } from './schedules';

/** A learning rate: a number, or a schedule of the step index. */
export type LearningRate = number | Schedule;

/** Anything holding parameters, such as a `wg.nn.Module`; re-read at every step. */
export interface ParameterSource {
  parameters(): Tensor[];
}

/** Options every optimizer has. */
export interface BaseOptions {
  lr: LearningRate;
}

/** One parameter group: its parameters and its own options (mutable between steps, as PyTorch's). */
export type ParamGroup<O> = O & { params: readonly Tensor[] | ParameterSource };

/** A group as given to a constructor: options it leaves out take the optimizer's. */
export type ParamGroupSpec<O> = Partial<O> & { params: readonly Tensor[] | ParameterSource };

/** What an optimizer is built on: a list of parameters, a Module, or parameter groups. */
export type Params<O> = readonly Tensor[] | ParameterSource | readonly ParamGroupSpec<O>[];

/** The state tensors of one parameter (momentum buffers, running averages). */
export type StateTensors = { [name: string]: Tensor | undefined };

/** A parameter's state: its step count (steps it received a gradient) and its tensors. */
export type ParamState<S extends StateTensors> = S & { step: number };

/**
 * An update rule: new values of a parameter and its state from the parameter, its gradient,
 * its state and scalars. Pure and elementwise over tensors of any shape (no reductions, no
 * shape-dependent code), so it can run over all parameters packed together.
 */
export type UpdateRule<S extends StateTensors, C> = (p: Tensor, g: Tensor, state: S, scalars: C) => { p: Tensor; state: S };

/** One parameter's update of a step: the rule's inputs. */
export interface UpdateJob<S extends StateTensors, C> {
  readonly p: Tensor;
  readonly g: Tensor;
  readonly state: ParamState<S>;
  /** Shared by every job of one group and step count (the same object). */
  readonly scalars: C;
}

const isSource = (x: unknown): x is ParameterSource => typeof x === 'object' && x !== null && typeof (x as ParameterSource).parameters === 'function';

/** A state tensor of `p`'s shape filled with `value`, already a buffer (no kernel to fill it). */
export function stateBuffer(p: Tensor, value = 0): Tensor {
  return keep(tensor(new Float32Array(p.size).fill(value), { shape: p.shape }));
}

/**
 * The base of SGD, Adam, AdamW, RMSprop and Adagrad. Subclasses give their defaults, checks,
 * initial state, per-step scalars and update rule.
 *
 * ```ts
 * const opt = new wg.optim.Adam([{ params: net.body, lr: 1e-4 }, { params: net.head }], { lr: 1e-3 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * opt.state.get(net.head[0])?.expAvg; // the first moment, a tensor
 * ```
 */
export abstract class Optimizer<O extends BaseOptions, S extends StateTensors, C> {
  /** The parameter groups with their options (PyTorch's `param_groups`). */
  readonly paramGroups: ParamGroup<O>[];
  /** Each parameter's state, created at its first step with a gradient. */
  readonly state = new Map<Tensor, ParamState<S>>();
  /** Calls of `step()` so far: the step index a learning-rate schedule receives. */
  iterations = 0;
  private readonly packs = new Packs();

  protected constructor(
    private readonly name: string,
    params: Params<O>,
    defaults: O,
    check: (op: string, options: O) => void,
  ) {
    this.paramGroups = groupsOf(name, params, defaults);
    for (const g of this.paramGroups) {
      if (typeof g.lr !== 'function') nonNegative(name, 'lr', g.lr);
      check(name, g);
    }
    // A list of parameters is packed now, so every step, the first included, has one structure.
    for (const g of this.paramGroups) if (!isSource(g.params)) this.packs.packEarly(g.params);
  }

  /** The state tensors a parameter starts with. */
  protected abstract initialState(p: Tensor, options: O): S;
  /** The rule's scalars for a parameter's `step` (1 on its first) at learning rate `lr`. */
  protected abstract scalars(options: O, lr: number, step: number): C;
  /** The update rule (a pure function of the optimizer's file). */
  protected abstract readonly rule: UpdateRule<S, C>;

  /** The learning rate of `group` at this step. */
  private lrOf(group: ParamGroup<O>): number {
    const lr = typeof group.lr === 'function' ? group.lr(this.iterations) : group.lr;
    if (typeof lr !== 'number' || !(lr >= 0) || !Number.isFinite(lr)) {
      throw new ArgumentError(`${this.name}.step: the learning rate must be a finite number ≥ 0, got ${String(lr)} at step ${this.iterations}`);
    }
    return lr;
  }

  /**
   * Updates every parameter that has a gradient (others are skipped, as PyTorch does) and its
   * state, in place, in one realize. Synchronous: it enqueues the work and returns.
   */
  step(): void {
    tidy(() =>
      noGrad(() => {
        const jobs: UpdateJob<S, C>[] = [];
        const seen = new Set<Tensor>();
        for (const group of this.paramGroups) {
          const lr = this.lrOf(group);
          const byStep = new Map<number, C>();
          for (const p of paramsOf(this.name, group)) {
            if (seen.has(p)) throw new ArgumentError(`${this.name}.step: a ${p.toString()} parameter appears twice in the parameter groups`);
            seen.add(p);
            const g = p.grad;
            if (g === null) continue;
            const state = this.stateOf(p, group);
            state.step++;
            let c = byStep.get(state.step);
            if (c === undefined) byStep.set(state.step, (c = this.scalars(group, lr, state.step)));
            jobs.push({ p, g, state, scalars: c });
          }
        }
        if (seen.size === 0) {
          throw new ArgumentError(`${this.name}.step: the optimizer holds no parameters (an empty list, or a module that has not built its parameters yet)`);
        }
        this.iterations++;
        if (jobs.length > 0) this.applyUpdates(jobs);
      }),
    );
  }

  /**
   * Runs the rule for every job and writes the results in place, parameters and state together,
   * in one realize (one plan, one submit, with whatever rides along: the loss). The one place a
   * step touches the device, so a multi-tensor update can replace it alone.
   */
  protected applyUpdates(jobs: readonly UpdateJob<S, C>[]): void {
    const written: Tensor[] = [];
    const write = (p: Tensor, g: Tensor, state: Map<string, Tensor>, scalars: C) => {
      const next = this.rule(p, g, Object.fromEntries(state) as S, scalars);
      written.push(p.assign(next.p));
      for (const [k, target] of state) {
        const value = next.state[k];
        if (value) written.push(target.assign(value));
      }
    };
    // Jobs that share their scalars (one group, one step count) run as one: the rule once over
    // their packed arenas (src/arena.ts), one kernel for all of them where the binding limit allows.
    for (const batch of groupBy(jobs, (j) => j.scalars).values()) {
      const states = batch.map((j) => stateTensorsOf(j.state));
      if (batch.length === 1) {
        write(batch[0].p, batch[0].g, states[0], batch[0].scalars);
        continue;
      }
      const pack = this.packs.packOf(batch.map((j) => j.p), states);
      const packedState = new Map([...pack.state].map(([k, a]) => [k, a.all]));
      write(pack.params.all, Packs.laidOut(pack, batch.map((j) => j.g)), packedState, batch[0].scalars);
    }
    realize(...written);
  }

  /** Drops every parameter's gradient (PyTorch's `zero_grad(set_to_none=True)`), freeing it. */
  zeroGrad(): void {
    for (const group of this.paramGroups) for (const p of paramsOf(this.name, group)) p.grad = null;
  }

  private stateOf(p: Tensor, options: O): ParamState<S> {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = { ...this.initialState(p, options), step: 0 }));
    return s;
  }
}

/** `given` over `defaults`, options set to undefined taking the default. */
export function withDefaults<O extends object>(defaults: O, given: object | undefined): O {
  return { ...defaults, ...Object.fromEntries(Object.entries(given ?? {}).filter(([, v]) => v !== undefined)) };
}

function groupBy<T, K>(xs: readonly T[], key: (x: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = out.get(k);
    if (list) list.push(x);
    else out.set(k, [x]);
  }
  return out;
}

function paramsOf<O>(op: string, group: ParamGroup<O>): readonly Tensor[] {
  const ps = isSource(group.params) ? group.params.parameters() : group.params;
  for (const p of ps) Tensor.check(p, `${op}.step`);
  return ps;
}

function groupsOf<O extends object>(op: string, params: Params<O>, defaults: O): ParamGroup<O>[] {
  if (isSource(params)) return [{ ...defaults, params }];
  if (!Array.isArray(params)) throw new ArgumentError(`${op}: expected a list of tensors, a module with parameters() or parameter groups, got ${typeof params}`);
  const list = params as readonly unknown[];
  if (list.every((p) => p instanceof Tensor)) return [{ ...defaults, params: list as Tensor[] }];
  return list.map((spec, i) => {
    const params = (spec as { params?: unknown } | null)?.params;
    if (!(isSource(params) || (Array.isArray(params) && params.every((p) => p instanceof Tensor)))) {
      throw new ArgumentError(`${op}: parameter group ${i} needs params: a list of tensors or a module (and a list of tensors cannot mix with groups)`);
    }
    return withDefaults(defaults, spec as object) as ParamGroup<O>;
  });
}
