// softmax and logSoftmax over one axis, composed from reductions that subtract the max first,
// so logits of any magnitude stay finite.

import { normAxis } from '../shape';
import { Tensor } from '../tensor';

export function softmax(x: Tensor, axis = -1): Tensor {
  x = Tensor.check(x, 'softmax');
  const a = normAxis('softmax', axis, x.rank);
  const xf = x.cast('float32');
  const e = xf.sub(xf.max(a, true).detach()).exp();
  return e.div(e.sum(a, true));
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  x = Tensor.check(x, 'logSoftmax');
  const a = normAxis('logSoftmax', axis, x.rank);
  return x.cast('float32').sub(x.logSumExp(a, true));
}
