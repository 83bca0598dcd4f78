// Adam, AdamW and AMSGrad against a float64 reference of PyTorch's documented algorithm
// (torch.optim.Adam / AdamW), 5 steps on a quadratic and an MLP, on both backends.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { expectClose, expectNoGpuErrors, initBoth, useBackend, wg } from '../helpers';
import { expectMatchesReference, mlp, paramsOf, quadratic, type Values } from './problems';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

interface AdamRef {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  decoupled?: boolean;
}

/** PyTorch's Adam/AdamW pseudo-code, in float64, with its own state. */
function adamReference(o: AdamRef): (params: Values, grads: Values, t: number) => Values {
  const [b1, b2] = o.betas ?? [0.9, 0.999];
  const eps = o.eps ?? 1e-8;
  const wd = o.weightDecay ?? 0;
  let m: Values | null = null, v: Values | null = null, vmax: Values | null = null;
  return (params, grads, t) => {
    m ??= params.map((p) => p.map(() => 0));
    v ??= params.map((p) => p.map(() => 0));
    vmax ??= params.map((p) => p.map(() => 0));
    return params.map((p, k) =>
      p.map((theta, i) => {
        let g = grads[k][i];
        if (o.decoupled) theta *= 1 - o.lr * wd;
        else g += wd * theta;
        m![k][i] = b1 * m![k][i] + (1 - b1) * g;
        v![k][i] = b2 * v![k][i] + (1 - b2) * g * g;
        const mHat = m![k][i] / (1 - b1 ** t);
        vmax![k][i] = Math.max(vmax![k][i], v![k][i]);
        const vHat = (o.amsgrad ? vmax![k][i] : v![k][i]) / (1 - b2 ** t);
        return theta - (o.lr * mHat) / (Math.sqrt(vHat) + eps);
      }),
    );
  };
}

describe('Adam', () => {
  for (const [name, problem] of [['quadratic', quadratic], ['MLP', mlp]] as const) {
    test(`matches PyTorch's algorithm for 5 steps on the ${name}`, async () => {
      await expectMatchesReference(problem(), (ps) => new wg.optim.Adam(ps, { lr: 0.05 }), adamReference({ lr: 0.05 }));
    });

    test(`with weight decay (L2 on the gradient) and other betas on the ${name}`, async () => {
      const o = { lr: 0.02, betas: [0.8, 0.99] as [number, number], eps: 1e-6, weightDecay: 0.1 };
      await expectMatchesReference(problem(), (ps) => new wg.optim.Adam(ps, o), adamReference(o));
    });

    test(`with amsgrad on the ${name}`, async () => {
      const o = { lr: 0.05, amsgrad: true, weightDecay: 0.05 };
      await expectMatchesReference(problem(), (ps) => new wg.optim.Adam(ps, o), adamReference(o));
    });
  }
});

describe('AdamW', () => {
  for (const [name, problem] of [['quadratic', quadratic], ['MLP', mlp]] as const) {
    test(`decays the weights decoupled from the gradient (default weightDecay 0.01) on the ${name}`, async () => {
      await expectMatchesReference(problem(), (ps) => new wg.optim.AdamW(ps, { lr: 0.05 }), adamReference({ lr: 0.05, weightDecay: 0.01, decoupled: true }));
    });

    test(`with weight decay 0.2 and amsgrad on the ${name}`, async () => {
      const o = { lr: 0.03, weightDecay: 0.2, amsgrad: true };
      await expectMatchesReference(problem(), (ps) => new wg.optim.AdamW(ps, o), adamReference({ ...o, decoupled: true }));
    });
  }
});

describe('Adam state', () => {
  test("is PyTorch's: step, expAvg, expAvgSq (and maxExpAvgSq with amsgrad) per parameter", async () => {
    await useBackend('webgpu');
    const problem = quadratic();
    const params = paramsOf(problem);
    const opt = new wg.optim.Adam(params, { lr: 0.1, amsgrad: true });
    for (let s = 0; s < 2; s++) {
      opt.zeroGrad();
      problem.loss(params).backward();
      opt.step();
    }
    const state = opt.state.get(params[0])!;
    expect(state.step).toBe(2);
    expect(Object.keys(state).sort()).toEqual(['expAvg', 'expAvgSq', 'maxExpAvgSq', 'step']);
    // Two steps by hand: g1 at the initial point, g2 after the first step.
    const ref = adamReference({ lr: 0.1, amsgrad: true });
    const p1 = ref(problem.init, problem.grads(problem.init), 1);
    const g1 = problem.grads(problem.init)[0];
    const g2 = problem.grads(p1)[0];
    expectClose(await state.expAvg.data(), g1.map((g, i) => 0.9 * 0.1 * g + 0.1 * g2[i]), { rtol: 1e-4, atol: 1e-6 });
    expectClose(await state.expAvgSq.data(), g1.map((g, i) => 0.999 * 0.001 * g * g + 0.001 * g2[i] * g2[i]), { rtol: 1e-4, atol: 1e-8 });
  });
});
