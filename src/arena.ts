// Arenas: tensors moved into aligned ranges of one storage, so one kernel can update all of them
// (an optimizer's parameters and state: DESIGN.md "Kernels may have several outputs"). Each tensor
// keeps its identity and shape; its storage becomes a view of the arena, bound at its offset.

import { ArgumentError } from './errors';
import { bufferNode, LazyNode, Storage } from './graph/ir';
import { concat } from './ops/movement';
import { noGrad, realizeNodes, Tensor } from './tensor';
import { tidy } from './lifetime';
import { sizeOf } from './shape';

/**
 * Elements per alignment step of a range: WebGPU binds a storage buffer at offsets that are
 * multiples of minStorageBufferOffsetAlignment, at most 256 bytes.
 */
export const ARENA_ALIGN = 64;

/** The tensors of an arena and where each one's range starts. */
export interface Arena {
  /** The whole arena as one flat tensor: assigning it updates every member at once. */
  readonly all: Tensor;
  readonly members: readonly Tensor[];
  /** Each member's first element in `all`; gaps between members hold no value. */
  readonly offsets: readonly number[];
}

/** Each range's start: members one after another, each at a multiple of ARENA_ALIGN. */
export function arenaLayout(sizes: readonly number[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let at = 0;
  for (const n of sizes) {
    offsets.push(at);
    at += Math.ceil(Math.max(n, 1) / ARENA_ALIGN) * ARENA_ALIGN;
  }
  return { offsets, total: at };
}

/**
 * A flat tensor of the arena's size whose ranges are `parts` (flattened, each of its member's
 * size), zeros in the gaps: e.g. every parameter's gradient laid out like the parameters.
 */
export function arenaOf(arena: Arena, parts: readonly Tensor[]): Tensor {
  return laidOut(arena.offsets, arena.all.size, parts);
}

function laidOut(offsets: readonly number[], total: number, parts: readonly Tensor[]): Tensor {
  return noGrad(() => {
    const pieces: Tensor[] = [];
    parts.forEach((p, i) => {
      const end = i + 1 < parts.length ? offsets[i + 1] : total;
      const gap = end - offsets[i] - p.size;
      const flat = p.reshape([p.size]);
      pieces.push(gap > 0 ? flat.pad([[0, gap]]) : flat);
    });
    return pieces.length === 1 ? pieces[0] : concat(pieces, 0);
  });
}

/**
 * Moves `tensors` (one dtype, distinct, each realized on the way) into one new storage and
 * returns the arena. Their old buffers are freed once nothing else reads them.
 *
 * ```ts
 * const arena = packTensors([w, b]); // w, b now live in arena.all's buffer
 * arena.all.assign(arena.all.mul(0.5)); wg.realize(arena.all); // halves w and b in one kernel
 * ```
 */
export function packTensors(tensors: readonly Tensor[]): Arena {
  if (tensors.length === 0) throw new ArgumentError('packTensors: no tensors to pack');
  const dtype = tensors[0].dtype;
  if (tensors.some((t) => t.dtype !== dtype)) throw new ArgumentError(`packTensors: tensors of one dtype expected, got ${tensors.map((t) => t.dtype).join(', ')}`);
  if (new Set(tensors).size !== tensors.length) throw new ArgumentError('packTensors: a tensor is listed twice');
  const { offsets, total } = arenaLayout(tensors.map((t) => t.size));
  // The arena's contents: every member's values in its range (the gaps are zeros), as a node of
  // its own, so a member is never realized into the arena in place of a copy.
  const contents = tidy(() => new Tensor(new LazyNode({ kind: 'view', view: { kind: 'reshape' } }, [laidOut(offsets, total, tensors).node], [total], dtype)));
  // Not the step's realize: the loss waiting to ride along waits for the update.
  realizeNodes([contents.node], { rideAlong: false });
  const op = contents.node.op;
  if (op.kind !== 'buffer') throw new Error('packTensors: realize left a lazy node');
  const base = op.storage;
  const all = new Tensor(bufferNode(base, [total]));
  tensors.forEach((t, i) => t.rebind(bufferNode(new Storage(dtype, sizeOf(t.shape), base, offsets[i]), t.shape)));
  contents.dispose();
  return { all, members: tensors, offsets };
}
