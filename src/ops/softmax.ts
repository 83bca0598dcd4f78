// softmax, logSoftmax and the fused softmax cross-entropy for integer labels, as hand-written
// kernels (shaders/softmax.wgsl, cross-entropy.wgsl, cross-entropy-grad.wgsl): one workgroup
// per row, max-shifted so logits of any magnitude stay finite. CPU references beside them.

import crossEntropyGradWgsl from '../../shaders/cross-entropy-grad.wgsl?raw';
import crossEntropyWgsl from '../../shaders/cross-entropy.wgsl?raw';
import softmaxWgsl from '../../shaders/softmax.wgsl?raw';
import { DTypeError, ShapeError } from '../errors';
import { grid } from '../graph/launch';
import type { GpuLaunch, GpuTarget, KernelDef } from '../graph/ir';
import { normAxis, shapeStr } from '../shape';
import { makeTensor, Tensor } from '../tensor';
import { reshapeNode, kernelNode } from './node-builders';

interface RowAttrs {
  rows: number;
  cols: number;
}

interface SoftmaxAttrs extends RowAttrs {
  log: boolean;
}

/** Max and log Σ exp(x − max) of row `r`, in float64. */
function rowStats(x: ArrayLike<number>, r: number, cols: number): { max: number; logSum: number } {
  const base = r * cols;
  let max = -Infinity;
  for (let c = 0; c < cols; c++) max = Math.max(max, x[base + c]);
  let sum = 0;
  for (let c = 0; c < cols; c++) sum += Math.exp(x[base + c] - max);
  return { max, logSum: Math.log(sum) };
}

/**
 * One thread per row (`main_rows`) where rows are short or barriers expensive (SwiftShader) and
 * there are rows enough to fill the device; else one workgroup per row (`main`).
 */
function rowLaunch(code: string, { rows, cols }: RowAttrs, target: GpuTarget, extra: Record<string, number> = {}): GpuLaunch {
  const perThread = cols <= 32 || (!target.sharedMemoryTiles && rows >= 64);
  const workgroups = grid(perThread ? Math.ceil(rows / 64) : rows);
  const entryPoint = perThread ? 'main_rows' : 'main';
  return { code, entryPoint, constants: { ROWS: rows, COLS: cols, GRID_X: workgroups[0], ...extra }, workgroups };
}

export const SOFTMAX: KernelDef<SoftmaxAttrs> = {
  name: 'softmax',
  epilogue: true,
  cpu([x], node) {
    const { rows, cols, log } = node.op.attrs;
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      const { max, logSum } = rowStats(x, r, cols);
      for (let c = 0; c < cols; c++) {
        const d = x[r * cols + c] - max;
        out[r * cols + c] = log ? d - logSum : Math.exp(d - logSum);
      }
    }
    return out;
  },
  gpu: (node, target) => rowLaunch(softmaxWgsl, node.op.attrs, target, { LOG: Number(node.op.attrs.log) }),
};

export const SOFTMAX_CROSS_ENTROPY: KernelDef<RowAttrs> = {
  name: 'softmaxCrossEntropy',
  epilogue: true,
  cpu([x, labels], node) {
    const { rows, cols } = node.op.attrs;
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const label = labels[r];
      const { max, logSum } = rowStats(x, r, cols);
      out[r] = label >= 0 && label < cols ? max + logSum - x[r * cols + label] : NaN;
    }
    return out;
  },
  gpu: (node, target) => rowLaunch(crossEntropyWgsl, node.op.attrs, target),
};

export const SOFTMAX_CROSS_ENTROPY_GRAD: KernelDef<RowAttrs> = {
  name: 'softmaxCrossEntropyGrad',
  epilogue: true,
  cpu([x, labels, g], node) {
    const { rows, cols } = node.op.attrs;
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      const { max, logSum } = rowStats(x, r, cols);
      for (let c = 0; c < cols; c++) {
        const p = Math.exp(x[r * cols + c] - max - logSum);
        out[r * cols + c] = (p - (c === labels[r] ? 1 : 0)) * g[r];
      }
    }
    return out;
  },
  gpu: (node, target) => rowLaunch(crossEntropyGradWgsl, node.op.attrs, target),
};

/** The softmax kernel over the last axis of float32 `x` (any rank ≥ 1). */
function lastAxisSoftmax(x: Tensor, log: boolean): Tensor {
  const cols = x.shape[x.rank - 1];
  const attrs: SoftmaxAttrs = { rows: x.size / cols, cols, log };
  const node = kernelNode(SOFTMAX, attrs, [reshapeNode(x.node, [attrs.rows, cols])], [attrs.rows, cols], 'float32');
  return makeTensor(reshapeNode(node, x.shape), [x], (g, y) =>
    log ? [g.sub(y.exp().mul(g.sum(-1, true)))] : [y.mul(g.sub(g.mul(y).sum(-1, true)))],
  );
}

function alongAxis(op: string, x: Tensor, axis: number, log: boolean): Tensor {
  x = Tensor.check(x, op);
  if (x.rank === 0) throw new ShapeError(`${op}: needs a tensor of rank ≥ 1, got a scalar`);
  const a = normAxis(op, axis, x.rank);
  const xf = x.cast('float32');
  if (x.size === 0) return xf;
  if (a === x.rank - 1) return lastAxisSoftmax(xf, log);
  const perm = x.shape.map((_, i) => i);
  [perm[a], perm[x.rank - 1]] = [perm[x.rank - 1], perm[a]];
  return lastAxisSoftmax(xf.transpose(perm), log).transpose(perm);
}

/** exp(x) / Σ exp(x) along `axis`, computed with the max subtracted first. */
export function softmax(x: Tensor, axis = -1): Tensor {
  return alongAxis('softmax', x, axis, false);
}

/** x − log Σ exp(x) along `axis`, stable for logits of any magnitude. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return alongAxis('logSoftmax', x, axis, true);
}

/**
 * Per-row softmax cross-entropy of `logits [N, C]` against int32 class indices `labels [N]`:
 * log Σ exp(logits[r]) − logits[r, labels[r]] → [N] (NaN where a label is outside [0, C)). Its
 * gradient, (softmax − onehot) · g, is one fused kernel. For the losses module.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  logits = Tensor.check(logits, 'softmaxCrossEntropy');
  labels = Tensor.check(labels, 'softmaxCrossEntropy');
  if (logits.rank !== 2) throw new ShapeError(`softmaxCrossEntropy: logits must be [N, C], got ${shapeStr(logits.shape)}`);
  if (labels.dtype !== 'int32') throw new DTypeError(`softmaxCrossEntropy: labels must be int32 class indices, got ${labels.dtype}`);
  if (labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new ShapeError(`softmaxCrossEntropy: labels must be [N] = [${logits.shape[0]}] for logits ${shapeStr(logits.shape)}, got ${shapeStr(labels.shape)}`);
  }
  const x = logits.cast('float32');
  const attrs: RowAttrs = { rows: logits.shape[0], cols: logits.shape[1] };
  const node = kernelNode(SOFTMAX_CROSS_ENTROPY, attrs, [x.node, labels.node], [attrs.rows], 'float32');
  return makeTensor(node, [x, labels], (g) => {
    const grad = kernelNode(SOFTMAX_CROSS_ENTROPY_GRAD, attrs, [x.node, labels.node, g.node], x.shape, 'float32');
    return [makeTensor(grad), null];
  });
}
