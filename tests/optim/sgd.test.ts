// SGD against a float64 reference of PyTorch's documented algorithm (torch.optim.SGD): plain,
// momentum, dampening, Nesterov and weight decay, 5 steps on a quadratic and an MLP, both backends.

import { afterEach, beforeAll, describe, test } from 'vitest';
import { expectNoGpuErrors, initBoth, wg } from '../helpers';
import { expectMatchesReference, mlp, quadratic, type Values } from './problems';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

interface SgdRef {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

/** PyTorch's SGD pseudo-code in float64: the buffer starts as the first gradient. */
function sgdReference(o: SgdRef): (params: Values, grads: Values, t: number) => Values {
  const mu = o.momentum ?? 0;
  const tau = o.dampening ?? 0;
  const wd = o.weightDecay ?? 0;
  let buf: Values | null = null;
  return (params, grads, t) => {
    buf ??= params.map((p) => p.map(() => 0));
    return params.map((p, k) =>
      p.map((theta, i) => {
        let g = grads[k][i] + wd * theta;
        if (mu !== 0) {
          buf![k][i] = t === 1 ? g : mu * buf![k][i] + (1 - tau) * g;
          g = o.nesterov ? g + mu * buf![k][i] : buf![k][i];
        }
        return theta - o.lr * g;
      }),
    );
  };
}

describe('SGD', () => {
  const cases: [string, SgdRef][] = [
    ['plain', { lr: 0.1 }],
    ['with momentum', { lr: 0.05, momentum: 0.9 }],
    ['with momentum and dampening', { lr: 0.05, momentum: 0.8, dampening: 0.3 }],
    ['with Nesterov momentum', { lr: 0.05, momentum: 0.9, nesterov: true }],
    ['with weight decay and momentum', { lr: 0.05, momentum: 0.5, weightDecay: 0.1 }],
  ];
  for (const [name, problem] of [['quadratic', quadratic], ['MLP', mlp]] as const) {
    for (const [what, o] of cases) {
      test(`${what} matches PyTorch's algorithm for 5 steps on the ${name}`, async () => {
        await expectMatchesReference(problem(), (ps) => new wg.optim.SGD(ps, o), sgdReference(o));
      });
    }
  }
});
