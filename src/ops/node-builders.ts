// Small constructors of LazyNodes shared by the op modules: views, casts, broadcasts and
// elementwise nodes. They check nothing: the tensor-level ops check arguments first.

import type { DType } from '../dtype';
import { LazyNode, constNode, type ElementwiseDef, type KernelDef, type ViewOp } from '../graph/ir';
import { sameShape, sizeOf, type Shape } from '../shape';
import { castNumber, UNARY } from './elementwise-table';

export function viewNode(src: LazyNode, view: ViewOp, shape: Shape): LazyNode {
  return new LazyNode({ kind: 'view', view }, [src], shape, src.dtype);
}

export function reshapeNode(src: LazyNode, shape: Shape): LazyNode {
  if (sameShape(src.shape, shape)) return src;
  if (sizeOf(src.shape) !== sizeOf(shape)) throw new Error(`reshapeNode: ${src.shape} → ${shape}`);
  return viewNode(src, { kind: 'reshape' }, shape);
}

/** NumPy broadcast of `src` to `shape` (leading axes added, size-1 axes expanded). */
export function broadcastNode(src: LazyNode, shape: Shape): LazyNode {
  if (sameShape(src.shape, shape)) return src;
  const padded = [...new Array<number>(shape.length - src.shape.length).fill(1), ...src.shape];
  const r = reshapeNode(src, padded);
  return sameShape(padded, shape) ? r : viewNode(r, { kind: 'expand' }, shape);
}

export function elementwiseNode(def: ElementwiseDef, srcs: LazyNode[], dtype: DType, param = 0): LazyNode {
  return new LazyNode({ kind: 'elementwise', def, param }, srcs, srcs[0].shape, dtype);
}

export function castNode(src: LazyNode, dtype: DType): LazyNode {
  if (src.dtype === dtype) return src;
  if (src.op.kind === 'const') return constNode(castNumber(src.op.value, dtype), dtype);
  return elementwiseNode(UNARY.cast, [src], dtype);
}


/** A constant of `shape` (a scalar node viewed through a broadcast). */
export function fullNode(shape: Shape, value: number, dtype: DType): LazyNode {
  return broadcastNode(constNode(castNumber(value, dtype), dtype), shape);
}

/** A node of the hand-written kernel `def` with its attributes, typed against each other. */
export function kernelNode<A>(def: KernelDef<A>, attrs: A, srcs: readonly LazyNode[], shape: Shape, dtype: DType): LazyNode {
  return new LazyNode({ kind: 'kernel', def: def as unknown as KernelDef, attrs }, srcs, shape, dtype);
}
