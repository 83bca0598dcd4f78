// What the recurrent sequence kernels share: their sizes, their launch (one workgroup per
// tile of batch rows, each looping over the time steps), wrapping a kernel call as a tensor, and the
// states each step started from (for the recurrent weight's gradient).

import { grid } from '../../graph/launch';
import type { GpuLaunch, KernelDef } from '../../graph/ir';
import { concat } from '../../ops/movement';
import { makeTensor, type GradFn, type Tensor } from '../../tensor';
import { kernelNode } from '../../ops/node-builders';

/** Batch rows, time steps and units of one recurrent layer call. */
export interface SequenceAttrs {
  readonly b: number;
  readonly t: number;
  readonly h: number;
}

/** The launch of `entryPoint` of a sequence shader: one workgroup per `rowsPerGroup` batch rows (the shader's tile). */
export function sequenceLaunch(code: string, entryPoint: string, a: SequenceAttrs, extra: Record<string, number> = {}, rowsPerGroup = 1): GpuLaunch {
  const workgroups = grid(Math.ceil(a.b / rowsPerGroup));
  return { code, entryPoint, constants: { B: a.b, T: a.t, H: a.h, GRID_X: workgroups[0], ...extra }, workgroups };
}

/**
 * A call of kernel `def` reading `reads` as a tensor of `shape`; with `vjp`, differentiable with
 * respect to `gradInputs` (the tensors `reads` were laid out from, one gradient each).
 */
export function sequenceCall<A extends SequenceAttrs>(def: KernelDef<A>, attrs: A, reads: readonly Tensor[], shape: readonly number[], vjp?: GradFn['vjp'], gradInputs: readonly Tensor[] = reads): Tensor {
  const node = kernelNode(def, attrs, reads.map((x) => x.node), shape, 'float32');
  return makeTensor(node, gradInputs, vjp);
}

/** The state each step started from: [h0, h_0, …, h_{T−2}] as [B, T, H], from h0 and the outputs h [B, T, H]. */
export function previousStates(h0: Tensor, hs: Tensor): Tensor {
  const [b, t, h] = hs.shape;
  const first = h0.reshape([b, 1, h]);
  return t === 1 ? first : concat([first, hs.slice([0, 0, 0], [b, t - 1, h])], 1);
}

/**
 * xᵀ·y over all batch rows and steps: [B, T, P] and [B, T, Q] → [P, Q] (a weight's gradient).
 * xᵀ is laid out [P, B·T] by the copy that gathers x anyway (x is a concat of states), so the
 * product reads both operands untransposed and can take the wide register tiles (4.4× the
 * transposed read's 8×8 tiles at LSTM(128)'s 128×1024·1024×512 on SwiftShader).
 */
export function overSteps(x: Tensor, y: Tensor): Tensor {
  const rows = x.shape[0] * x.shape[1];
  return x.transpose([2, 0, 1]).reshape([x.shape[2], rows]).matmul(y.reshape([rows, y.shape[2]]));
}
