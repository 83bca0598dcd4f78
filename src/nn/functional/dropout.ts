// Inverted dropout: kept values are scaled by 1/(1 − rate) in training, so inference is the
// identity. The mask is a comparison of uniform draws, an elementwise op that fuses into the
// consumer of the result.

import { ArgumentError } from '../../errors';
import { rand } from '../../ops/creation';
import { Tensor } from '../../tensor';

export interface DropoutOptions {
  /** Off (the identity) when false, as in evaluation. */
  training?: boolean;
  seed?: number;
}

/**
 * Zeroes each element with probability `rate` and scales the rest by 1/(1 − rate).
 *
 * ```ts
 * const h = wg.dropout(x, 0.5);                      // training
 * const same = wg.dropout(x, 0.5, { training: false }); // x itself
 * ```
 */
export function dropout(x: Tensor, rate: number, opts: DropoutOptions = {}): Tensor {
  x = Tensor.check(x, 'dropout');
  if (!(typeof rate === 'number' && rate >= 0 && rate < 1)) throw new ArgumentError(`dropout: rate must be a number in [0, 1), got ${rate}`);
  const { training = true, seed } = opts;
  if (!training || rate === 0) return x;
  const keep = rand(x.shape, { seed }).greaterEqual(rate);
  return x.mul(1 / (1 - rate)).where(keep, 0);
}
