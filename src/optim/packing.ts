// Keeps the parameters an optimizer updates together, and their state, packed in arenas
// (src/arena.ts), so one rule over the arenas updates all of them in one kernel. A pack lives
// while the same parameters step together; a new set (a parameter without a gradient this step,
// one added to a module) is packed anew, the old pack let go.

import { arenaOf, packTensors, type Arena } from '../arena';
import { keep } from '../lifetime';
import type { Tensor } from '../tensor';

/** Parameters packed together, with one arena per state tensor name (same layout). */
export interface Pack {
  readonly params: Arena;
  readonly state: ReadonlyMap<string, Arena>;
}

/** The state tensors of a parameter's state record (not its step count). */
export function stateTensorsOf(state: { [name: string]: unknown }): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [k, v] of Object.entries(state)) if (typeof v === 'object' && v !== null) out.set(k, v as Tensor);
  return out;
}

/** The packs of one optimizer, keyed by their parameters. */
export class Packs {
  private readonly packs = new Map<string, Pack>();
  /** Parameter arenas packed ahead of the first step, keyed like `packs`. */
  private readonly early = new Map<string, Arena>();
  private readonly ids = new WeakMap<Tensor, number>();
  private nextId = 0;

  /**
   * Packs `params` now (an optimizer given a list does at construction), so the first step's
   * forward already reads the arena and every step has one graph structure: the plan cache hits
   * from the second step on. Skipped for fewer than two parameters or mixed dtypes.
   */
  packEarly(params: readonly Tensor[]): void {
    if (params.length < 2 || new Set(params).size !== params.length || params.some((p) => p.dtype !== 'float32')) return;
    const arena = packTensors(params);
    keep(arena.all);
    this.early.set(params.map((p) => this.idOf(p)).join(','), arena);
  }

  /** The pack of exactly `params` with their `states`, packing them when they are not yet. */
  packOf(params: readonly Tensor[], states: readonly Map<string, Tensor>[]): Pack {
    const key = params.map((p) => this.idOf(p)).join(',');
    const known = this.packs.get(key);
    if (known) return known;
    // A parameter moves into one pack at a time: packs sharing one with the new set are let go.
    const members = new Set(params);
    for (const [k, pack] of this.packs) {
      if (!pack.params.members.some((p) => members.has(p))) continue;
      pack.params.all.dispose();
      for (const a of pack.state.values()) a.all.dispose();
      this.packs.delete(k);
    }
    for (const [k, arena] of this.early) {
      if (k === key || !arena.members.some((p) => members.has(p))) continue;
      arena.all.dispose();
      this.early.delete(k);
    }
    // Kept: a pack outlives the step (and its tidy scope) that made it.
    const packed = (ts: readonly Tensor[]) => {
      const arena = packTensors(ts);
      keep(arena.all);
      return arena;
    };
    const state = new Map<string, Arena>();
    for (const name of states[0].keys()) state.set(name, packed(states.map((s) => s.get(name)!)));
    const early = this.early.get(key);
    this.early.delete(key);
    const pack: Pack = { params: early ?? packed(params), state };
    this.packs.set(key, pack);
    return pack;
  }

  /** `parts` (one per member, e.g. gradients) laid out as the pack's parameters. */
  static laidOut(pack: Pack, parts: readonly Tensor[]): Tensor {
    return arenaOf(pack.params, parts);
  }

  private idOf(t: Tensor): number {
    let id = this.ids.get(t);
    if (id === undefined) this.ids.set(t, (id = this.nextId++));
    return id;
  }
}
