// matmul: batched matrix product with NumPy batch broadcasting (as torch.matmul for rank ≥ 2).
// The node is always [batch, M, K] · [batch, K, N]; the op folds and broadcasts batch axes.

import matmulWgsl from '../../shaders/matmul.wgsl?raw';
import { DTypeError, ShapeError } from '../errors';
import { LazyNode, type KernelDef } from '../graph/ir';
import { broadcastShapes, shapeStr, sizeOf } from '../shape';
import { makeTensor, Tensor } from '../tensor';
import { sumTo } from './movement';
import { broadcastNode, reshapeNode } from './node-builders';

interface MatmulAttrs {
  batch: number;
  m: number;
  k: number;
  n: number;
}

/** Blocked CPU matmul: i-k-j loop order over row blocks keeps b's rows hot in cache. */
function matmulCpu(a: Float32Array, b: Float32Array, { batch, m, k, n }: MatmulAttrs): Float32Array {
  const out = new Float32Array(batch * m * n);
  const acc = new Float64Array(n);
  for (let p = 0; p < batch; p++) {
    const aOff = p * m * k;
    const bOff = p * k * n;
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      for (let q = 0; q < k; q++) {
        const av = a[aOff + i * k + q];
        if (av === 0) continue;
        const row = bOff + q * n;
        for (let j = 0; j < n; j++) acc[j] += av * b[row + j];
      }
      out.set(acc, p * m * n + i * n);
    }
  }
  return out;
}

export const MATMUL: KernelDef<MatmulAttrs> = {
  name: 'matmul',
  cpu: ([a, b], node) => matmulCpu(a as Float32Array, b as Float32Array, node.op.attrs),
  gpu(node) {
    const { batch, m, k, n } = node.op.attrs;
    return {
      code: matmulWgsl,
      entryPoint: 'main',
      constants: { M: m, K: k, N: n },
      workgroups: [Math.ceil(n / 16), Math.ceil(m / 16), batch],
    };
  },
};

export function matmul(a: Tensor, b: Tensor): Tensor {
  a = Tensor.check(a, 'matmul');
  b = Tensor.check(b, 'matmul');
  if (a.rank < 2 || b.rank < 2) throw new ShapeError(`matmul: both operands need rank ≥ 2, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new DTypeError(`matmul: operands must be float32, got ${a.dtype} and ${b.dtype}`);
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2) {
    throw new ShapeError(`matmul: inner dimensions differ: ${shapeStr(a.shape)} · ${shapeStr(b.shape)} (a's last axis ${k} must equal b's second-to-last ${k2})`);
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batchShape = broadcastShapes('matmul', batchA, batchB);
  const outShape = [...batchShape, m, n];
  let aNode: LazyNode;
  let bNode: LazyNode;
  let attrs: MatmulAttrs;
  if (sizeOf(batchB) === 1 && batchB.length <= batchA.length) {
    // b is one matrix: fold a's batch into its rows.
    aNode = reshapeNode(a.node, [1, sizeOf(batchShape) * m, k]);
    bNode = reshapeNode(b.node, [1, k, n]);
    attrs = { batch: 1, m: sizeOf(batchShape) * m, k, n };
  } else {
    const batch = sizeOf(batchShape);
    aNode = reshapeNode(broadcastNode(a.node, [...batchShape, m, k]), [batch, m, k]);
    bNode = reshapeNode(broadcastNode(b.node, [...batchShape, k, n]), [batch, k, n]);
    attrs = { batch, m, k, n };
  }
  const node = new LazyNode({ kind: 'kernel', def: MATMUL as KernelDef, attrs }, [aNode, bNode], [attrs.batch, attrs.m, n], 'float32');
  return makeTensor(reshapeNode(node, outShape), [a, b], (g) => [
    sumTo(g.matmul(b.transpose(swapLast(b.rank))), a.shape),
    sumTo(a.transpose(swapLast(a.rank)).matmul(g), b.shape),
  ]);
}

function swapLast(rank: number): number[] {
  const p = Array.from({ length: rank }, (_, i) => i);
  [p[rank - 2], p[rank - 1]] = [p[rank - 1], p[rank - 2]];
  return p;
}
