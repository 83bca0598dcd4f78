// The base of SimpleRNN, LSTM and GRU: [batch, time, features] in; the input projection of all
// steps is one matmul (bias in its epilogue), the recurrence one sequence kernel (src/nn/recurrent)
// whose cache holds every step's states; outputs are views of that cache, no copies.

import { ArgumentError, ShapeError } from '../../errors';
import { zeros } from '../../ops/creation';
import { sameShape, shapeStr } from '../../shape';
import type { Tensor } from '../../tensor';
import type { InitializerSpec } from '../initializers';
import { checkInteger, Layer, type InputSpec, type LayerOptions, type LayerShape } from '../layer';
import type { Regularizer } from '../regularizers';

export interface RecurrentOptions extends LayerOptions {
  units: number;
  /** Output every step's h [B, T, H] instead of the last one [B, H]. */
  returnSequences?: boolean;
  /** `apply` returns [output, ...final states] (h; h and c for LSTM). */
  returnState?: boolean;
  useBias?: boolean;
  kernelInitializer?: InitializerSpec;
  /** Default 'orthogonal' (Keras). */
  recurrentInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
  kernelRegularizer?: Regularizer;
  recurrentRegularizer?: Regularizer;
}

export interface RecurrentCallOptions {
  /** [h] ([h, c] for LSTM), each [batch, units]; zeros when omitted. */
  initialState?: readonly Tensor[];
}

/** The cache of a sequence kernel, [B, T, slots, H], and which slots hold the final states. */
export interface SequenceCache {
  readonly cache: Tensor;
  readonly stateSlots: readonly number[];
}

export abstract class Recurrent<O extends RecurrentOptions> extends Layer<O, Tensor | Tensor[], RecurrentCallOptions> {
  kernel: Tensor | null = null;
  recurrentKernel: Tensor | null = null;
  bias: Tensor | null = null;

  /** Gate blocks in the kernels' last axis (1, 3 or 4). */
  protected abstract readonly gates: number;
  /** How many states the layer carries (2 for LSTM). */
  protected abstract readonly states: number;

  constructor(baseName: string, opts: O) {
    super(baseName, opts);
    checkInteger(baseName, 'units', opts.units);
  }

  protected createParameters(inputShape: LayerShape): InputSpec {
    this.requireRank(inputShape, 3, 'sequences [batch, time, features]');
    const features = this.knownAxis(inputShape, -1, 'feature axis');
    const { units, useBias = true, kernelInitializer = 'glorotUniform', recurrentInitializer = 'orthogonal' } = this.config;
    this.kernel = this.weight([features, this.gates * units], kernelInitializer);
    this.recurrentKernel = this.weight([units, this.gates * units], recurrentInitializer);
    this.bias = useBias ? this.createBias() : null;
    return { axes: [null, null, features] };
  }

  /** The input bias [gates · units] (LSTM sets its forget block to one). */
  protected createBias(): Tensor {
    return this.weight([this.gates * this.config.units], this.config.biasInitializer ?? 'zeros');
  }

  outputShape(inputShape: LayerShape): LayerShape {
    this.requireRank(inputShape, 3, 'sequences [batch, time, features]');
    return this.config.returnSequences ? [inputShape[0], inputShape[1], this.config.units] : [inputShape[0], this.config.units];
  }

  /** The recurrence over `xw` = x·W + b [B, T, gates·H] from the initial states. */
  protected abstract sequence(xw: Tensor, initial: readonly Tensor[]): SequenceCache;

  forward(x: Tensor, opts: RecurrentCallOptions = {}): Tensor | Tensor[] {
    const [b, t] = x.shape;
    const h = this.config.units;
    if (t === 0) throw new ShapeError(`${this.where()}: needs at least one time step, got an input of shape ${shapeStr(x.shape)}`);
    // One [B·T, I]·[I, gates·H] matmul: its weight gradient is then one matmul too, not one per batch row and a sum.
    const proj = x.reshape([b * t, x.shape[2]]).matmul(this.kernel!).reshape([b, t, -1]);
    const xw = this.bias ? proj.add(this.bias) : proj;
    const { cache, stateSlots } = this.sequence(xw, this.initialStates(b, opts.initialState));
    const last = (s: number) => cache.slice([0, t - 1, s, 0], [b, 1, 1, h]).reshape([b, h]);
    const output = this.config.returnSequences ? cache.slice([0, 0, 0, 0], [b, t, 1, h]).reshape([b, t, h]) : last(0);
    if (!this.config.returnState) return output;
    return [output, ...stateSlots.map(last)];
  }

  private initialStates(b: number, given: readonly Tensor[] | undefined): Tensor[] {
    const shape = [b, this.config.units];
    if (given === undefined) {
      const zero = zeros(shape);
      return new Array<Tensor>(this.states).fill(zero);
    }
    if (!Array.isArray(given) || given.length !== this.states) {
      throw new ArgumentError(`${this.where()}: initialState must be an array of ${this.states} tensors [batch, units], got ${Array.isArray(given) ? given.length : typeof given}`);
    }
    for (const s of given) {
      if (!sameShape(s.shape, shape)) throw new ShapeError(`${this.where()}: each initial state must have shape ${shapeStr(shape)}, got ${given.map((g) => shapeStr(g.shape)).join(', ')}`);
    }
    return [...given];
  }

  protected override ownPenalties(): Tensor[] {
    return [...this.penaltyOf(this.kernel, this.config.kernelRegularizer), ...this.penaltyOf(this.recurrentKernel, this.config.recurrentRegularizer)];
  }
}
