// The data checks and adaptations fit, evaluate and predict share: 1-D inputs and targets
// become [N, 1] where the model wants that (as Keras), targets must fit the last layer's output
// for the loss, and sparse labels must lie in [0, classes) (checked on the device, one read).

import { ArgumentError, ShapeError } from '../errors';
import { formatShape, type LayerShape } from '../nn/layer';
import { arange } from '../ops/creation';
import { where } from '../ops/elementwise';
import { shapeStr } from '../shape';
import { noGrad, Tensor } from '../tensor';
import type { Compiled } from './compile';

/** The model surface these checks read. */
export interface ShapedModel {
  inputShape(): LayerShape | null;
  outputShape(): LayerShape | null;
  lastLayerLabel(): string;
}

/** `x` as a tensor, [N] made [N, 1] for a model that takes one feature. */
export function adaptInput(op: string, model: ShapedModel, x: unknown): Tensor {
  const t = Tensor.check(x, op);
  const want = model.inputShape();
  if (t.rank === 0) throw new ShapeError(`${op}: x must have a batch axis, got a scalar`);
  if (want && t.rank === want.length - 1 && want[want.length - 1] === 1) return t.reshape([...t.shape, 1]);
  return t;
}

/** `y` as a tensor, [N] made [N, 1] where the output has one unit and the loss is not sparse. */
export function adaptTargets(op: string, model: ShapedModel, compiled: Compiled, y: unknown): Tensor {
  const t = Tensor.check(y, op);
  const out = model.outputShape();
  if (t.rank === 0) throw new ShapeError(`${op}: y must have a batch axis, got a scalar`);
  if (!compiled.sparseLabels && out && t.rank === out.length - 1 && out[out.length - 1] === 1) return t.reshape([...t.shape, 1]);
  return t;
}

/** Throws unless x and y have as many samples. */
export function checkSampleCounts(op: string, x: Tensor, y: Tensor): void {
  if (x.shape[0] !== y.shape[0]) {
    throw new ShapeError(`${op}: x and y must have the same number of samples, got x ${shapeStr(x.shape)} (${x.shape[0]} samples) and y ${shapeStr(y.shape)} (${y.shape[0]} samples)`);
  }
}

/** Throws a ShapeError naming the last layer when `y` cannot be the loss's target for the output. */
export function checkTargets(op: string, model: ShapedModel, compiled: Compiled, y: Tensor): void {
  const out = model.outputShape();
  if (!out || compiled.lossName === null) return;
  const targets = y.shape.slice(1);
  const lead = out.slice(1, -1);
  const ok = compiled.sparseLabels
    ? (y.rank === out.length - 1 || (y.rank === out.length && y.shape[y.rank - 1] === 1)) && lead.every((d, i) => d === null || d === y.shape[i + 1])
    : targets.length === out.length - 1 && out.slice(1).every((d, i) => d === null || d === targets[i]);
  if (ok) return;
  const expected = compiled.sparseLabels ? `integer labels of shape [N${lead.map((d) => `,${d}`).join('')}]` : `targets of shape [N${out.slice(1).map((d) => `,${d}`).join('')}]`;
  throw new ShapeError(`${op}: the last layer, ${model.lastLayerLabel()}, outputs ${formatShape(out)} but y has shape ${shapeStr(y.shape)}; loss '${compiled.lossName}' needs ${expected}`);
}

/**
 * For sparse cross-entropy: throws an ArgumentError with the first label outside
 * [0, classes). The check runs on the device; one number is read back.
 */
export async function checkLabels(op: string, model: ShapedModel, compiled: Compiled, y: Tensor): Promise<void> {
  const out = model.outputShape();
  const classes = out?.[out.length - 1];
  if (!compiled.sparseLabels || typeof classes !== 'number') return;
  const n = y.size;
  const { first, flat } = noGrad(() => {
    const flat = y.reshape([n]);
    const labels = flat.cast('int32');
    const bad = labels.less(0).cast('int32').add(labels.greaterEqual(classes).cast('int32')).add(flat.notEqual(labels.cast(flat.dtype)).cast('int32')).greater(0);
    return { first: where(bad, arange(0, n, 1, { dtype: 'int32' }), n).min(), flat };
  });
  const at = await first.item();
  first.dispose();
  if (at >= n) return;
  const value = await flat.slice([at], [1]).item();
  throw new ArgumentError(`${op}: label ${value} of sample ${at} is outside the valid range [0, ${classes}) of sparseCategoricalCrossentropy for the last layer, ${model.lastLayerLabel()}, with ${classes} outputs`);
}

/** Throws unless `fraction` is a valid validationSplit. */
export function checkSplit(fraction: number): void {
  if (!(fraction >= 0 && fraction < 1)) throw new ArgumentError(`fit: validationSplit must be in [0, 1), got ${fraction}`);
}
