// Replacing a parameter's or a buffer's value while keeping the tensor object, so optimizers,
// state dicts and layers that hold it see the new value: an in-place `assign`, computed with the
// next realize.

import { ShapeError } from '../errors';
import { sameShape, shapeStr } from '../shape';
import { realizeWithNext, Tensor } from '../tensor';

/** Gives `target` the contents of `value` (same shape); gradients do not flow through it. */
export function overwrite(target: Tensor, value: Tensor, op: string): void {
  if (!sameShape(target.shape, value.shape) || target.dtype !== value.dtype) {
    throw new ShapeError(`${op}: a ${shapeStr(target.shape)} ${target.dtype} tensor cannot take a ${shapeStr(value.shape)} ${value.dtype} value`);
  }
  target.assign(value.detach());
  realizeWithNext(target);
}
