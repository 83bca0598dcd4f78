// Adagrad against a float64 reference of PyTorch's documented algorithm (torch.optim.Adagrad):
// plain, learning-rate decay, weight decay and an initial accumulator, 5 steps on a quadratic
// and an MLP, on both backends.

import { afterEach, beforeAll, describe, test } from 'vitest';
import { expectNoGpuErrors, initBoth, wg } from '../helpers';
import { expectMatchesReference, mlp, quadratic, type Values } from './problems';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

interface AdagradRef {
  lr: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
}

/** PyTorch's Adagrad pseudo-code in float64. */
function adagradReference(o: AdagradRef): (params: Values, grads: Values, t: number) => Values {
  const eps = o.eps ?? 1e-10;
  let sum: Values | null = null;
  return (params, grads, t) => {
    sum ??= params.map((p) => p.map(() => o.initialAccumulatorValue ?? 0));
    const clr = o.lr / (1 + (t - 1) * (o.lrDecay ?? 0));
    return params.map((p, k) =>
      p.map((theta, i) => {
        const g = grads[k][i] + (o.weightDecay ?? 0) * theta;
        sum![k][i] += g * g;
        return theta - (clr * g) / (Math.sqrt(sum![k][i]) + eps);
      }),
    );
  };
}

describe('Adagrad', () => {
  const cases: [string, AdagradRef][] = [
    ['plain', { lr: 0.1 }],
    ['with learning-rate decay and weight decay', { lr: 0.1, lrDecay: 0.1, weightDecay: 0.05 }],
    ['with an initial accumulator', { lr: 0.2, initialAccumulatorValue: 0.5, eps: 1e-6 }],
  ];
  for (const [name, problem] of [['quadratic', quadratic], ['MLP', mlp]] as const) {
    for (const [what, o] of cases) {
      test(`${what} matches PyTorch's algorithm for 5 steps on the ${name}`, async () => {
        await expectMatchesReference(problem(), (ps) => new wg.optim.Adagrad(ps, o), adagradReference(o));
      });
    }
  }
});
