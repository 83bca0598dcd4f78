// Replacing a parameter's or a buffer's contents in place (t.assign), computed with the next
// realize whatever it computes: batch-norm statistics ride along with the training step, and
// loaded weights with the first use of the model.

import { realizeWithNext, type Tensor } from '../tensor';

/** Gives `target` the contents of `value` (same shape and dtype) at the next realize. */
export function overwrite(target: Tensor, value: Tensor): void {
  target.assign(value);
  realizeWithNext(target);
}
