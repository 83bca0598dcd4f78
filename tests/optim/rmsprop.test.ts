// RMSprop against a float64 reference of PyTorch's documented algorithm (torch.optim.RMSprop):
// plain, momentum, centered and weight decay, 5 steps on a quadratic and an MLP, both backends.

import { afterEach, beforeAll, describe, test } from 'vitest';
import { expectNoGpuErrors, initBoth, wg } from '../helpers';
import { expectMatchesReference, mlp, quadratic, type Values } from './problems';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

interface RmsRef {
  lr: number;
  alpha?: number;
  eps?: number;
  momentum?: number;
  centered?: boolean;
  weightDecay?: number;
}

/** PyTorch's RMSprop pseudo-code in float64. */
function rmspropReference(o: RmsRef): (params: Values, grads: Values) => Values {
  const alpha = o.alpha ?? 0.99;
  const eps = o.eps ?? 1e-8;
  const mu = o.momentum ?? 0;
  const wd = o.weightDecay ?? 0;
  let v: Values | null = null, gAvg: Values | null = null, buf: Values | null = null;
  return (params, grads) => {
    v ??= params.map((p) => p.map(() => 0));
    gAvg ??= params.map((p) => p.map(() => 0));
    buf ??= params.map((p) => p.map(() => 0));
    return params.map((p, k) =>
      p.map((theta, i) => {
        const g = grads[k][i] + wd * theta;
        v![k][i] = alpha * v![k][i] + (1 - alpha) * g * g;
        let vt = v![k][i];
        if (o.centered) {
          gAvg![k][i] = alpha * gAvg![k][i] + (1 - alpha) * g;
          vt -= gAvg![k][i] ** 2;
        }
        if (mu > 0) {
          buf![k][i] = mu * buf![k][i] + g / (Math.sqrt(vt) + eps);
          return theta - o.lr * buf![k][i];
        }
        return theta - (o.lr * g) / (Math.sqrt(vt) + eps);
      }),
    );
  };
}

describe('RMSprop', () => {
  const cases: [string, RmsRef][] = [
    ['plain', { lr: 0.01 }],
    ['with momentum', { lr: 0.01, momentum: 0.9 }],
    ['centered', { lr: 0.01, centered: true, alpha: 0.9 }],
    ['centered with momentum and weight decay', { lr: 0.005, centered: true, momentum: 0.5, weightDecay: 0.1, eps: 1e-6 }],
  ];
  for (const [name, problem] of [['quadratic', quadratic], ['MLP', mlp]] as const) {
    for (const [what, o] of cases) {
      test(`${what} matches PyTorch's algorithm for 5 steps on the ${name}`, async () => {
        await expectMatchesReference(problem(), (ps) => new wg.optim.RMSprop(ps, o), rmspropReference(o));
      });
    }
  }
});
