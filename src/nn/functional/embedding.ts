// Embedding lookup: rows of a [V, D] table at int32 indices (a gather along axis 0, whose
// gradient scatters the output gradient back into the rows).

import { DTypeError, ShapeError } from '../../errors';
import { shapeStr } from '../../shape';
import { Tensor } from '../../tensor';

/**
 * The rows of `table` [V, D] at `indices` (int32, any shape) → [...indices.shape, D].
 * Out-of-range indices give zero rows.
 *
 * ```ts
 * const vectors = wg.embedding(wg.tensor([[1, 3]], { dtype: 'int32' }), table); // [1, 2, D]
 * ```
 */
export function embedding(indices: Tensor, table: Tensor): Tensor {
  indices = Tensor.check(indices, 'embedding');
  table = Tensor.check(table, 'embedding');
  if (indices.dtype !== 'int32') throw new DTypeError(`embedding: indices must be int32, got ${indices.dtype}`);
  if (table.rank !== 2) throw new ShapeError(`embedding: the table must have shape [V, D], got ${shapeStr(table.shape)}`);
  return table.gather(indices, 0);
}
