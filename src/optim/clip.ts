// Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_: each gradient is
// replaced by a lazy clipped one, so clipping fuses into the optimizer step that reads it.

import { ArgumentError } from '../errors';
import { keep } from '../lifetime';
import { full } from '../ops/creation';
import { noGrad, ownGrad, realizeWithNext, Tensor } from '../tensor';
import { nonNegative } from './checks';
import type { ParameterSource } from './optimizer';

function gradsOf(op: string, params: readonly Tensor[] | ParameterSource): Tensor[] {
  const list = Array.isArray(params) ? (params as readonly Tensor[]) : typeof (params as ParameterSource)?.parameters === 'function' ? (params as ParameterSource).parameters() : null;
  if (!list) throw new ArgumentError(`${op}: expected a list of tensors or a module with parameters()`);
  return list.filter((p) => Tensor.check(p, op).grad !== null);
}

/** Replaces `p.grad` with `f(p.grad)`, owned by `p` and kept past tidy scopes as backward's gradients are. */
function replaceGrad(p: Tensor, f: (g: Tensor) => Tensor): void {
  const g = p.grad!;
  p.grad = ownGrad(keep(noGrad(() => f(g))));
}

/**
 * Scales every gradient by min(1, maxNorm / (‖g‖ + 1e-6)), ‖g‖ the 2-norm of all gradients
 * together, and returns that total norm (before clipping) as a lazy scalar, computed with the
 * next realize (the optimizer step). Parameters without a gradient are skipped.
 *
 * ```ts
 * loss.backward();
 * const norm = wg.optim.clipGradNorm(net.parameters(), 1.0);
 * opt.step();
 * console.log(await norm.item());
 * ```
 */
export function clipGradNorm(params: readonly Tensor[] | ParameterSource, maxNorm: number): Tensor {
  nonNegative('clipGradNorm', 'maxNorm', maxNorm);
  const grads = gradsOf('clipGradNorm', params);
  if (grads.length === 0) return full([], 0);
  const total = noGrad(() => grads.map((p) => p.grad!.square().sum()).reduce((a, b) => a.add(b)).sqrt());
  const scale = noGrad(() => total.add(1e-6).reciprocal().mul(maxNorm).minimum(1));
  for (const p of grads) replaceGrad(p, (g) => g.mul(scale));
  realizeWithNext(total);
  return total;
}

/**
 * Clips every gradient elementwise to [−value, value]. Parameters without a gradient are
 * skipped.
 *
 * ```ts
 * loss.backward(); wg.optim.clipGradValue(net, 0.5); opt.step();
 * ```
 */
export function clipGradValue(params: readonly Tensor[] | ParameterSource, value: number): void {
  nonNegative('clipGradValue', 'value', value);
  for (const p of gradsOf('clipGradValue', params)) replaceGrad(p, (g) => g.clip(-value, value));
}
