// Browser checks of the fusion invariant, counted by wg.stats(): building tensors and ops runs
// nothing on the GPU, and an elementwise chain realizes as one dispatch in one submit.

import { assert, expectClose, values, type Check, type Wg } from './compare';

const SHAPE = [33, 65];

/** a, b and c of SHAPE, and the float64 value of relu((a + b) · c) per element. */
function inputs(wg: Wg) {
  const [a, b, c] = [1, 2, 3].map((seed) => values(SHAPE[0]! * SHAPE[1]!, 100 + seed));
  const expected = a!.map((_, i) => Math.max(0, (a![i]! + b![i]!) * c![i]!));
  const tensors = [a, b, c].map((v) => wg.tensor(v!, { shape: SHAPE }));
  return { tensors, expected };
}

function counted(wg: Wg): string {
  const s = wg.stats();
  return `${s.dispatches} dispatches, ${s.submits} submits`;
}

export const fusionChecks: Check[] = [
  {
    name: 'creating tensors and applying ops dispatches nothing',
    run: async (wg) => {
      await wg.setBackend('webgpu');
      wg.resetStats();
      const shape = wg.tidy(() => {
        const [a, b, c] = inputs(wg).tensors;
        wg.zeros([4]).add(wg.arange(4)).transpose().slice([1]);
        return a!.add(b!).mul(c!).relu().sum(0, true).softmax().matmul(wg.ones([65, 2])).reshape([-1]).shape;
      });
      const s = wg.stats();
      assert(s.dispatches === 0 && s.submits === 0 && s.realizes === 0, `building ops ran work: ${counted(wg)}, ${s.realizes} realizes`);
      assert(shape.join(',') === '2', `shape [${shape}], expected [2]`);
    },
  },
  {
    name: 'a.add(b).mul(c).relu() realizes with exactly one dispatch and one submit',
    run: async (wg) => {
      await wg.setBackend('webgpu');
      const { tensors, expected } = inputs(wg);
      const [a, b, c] = tensors;
      wg.realize(a!, b!, c!);
      wg.resetStats();
      const y = a!.add(b!).mul(c!).relu();
      try {
        wg.realize(y);
        const s = wg.stats();
        assert(s.dispatches === 1 && s.submits === 1, `realize ran ${counted(wg)}, expected 1 dispatch and 1 submit`);
        expectClose(y.shape, Array.from(await y.data()), SHAPE, expected, { atol: 1e-6 }, 'fused chain vs float64');
        assert(wg.stats().dispatches === 1, `reading back a realized tensor dispatched again: ${counted(wg)}`);
      } finally {
        for (const t of [...tensors, y]) t.dispose();
      }
    },
  },
  {
    name: 'the fused chain on fresh uploads also realizes with one dispatch and one submit',
    run: async (wg) => {
      await wg.setBackend('webgpu');
      const { tensors, expected } = inputs(wg);
      const [a, b, c] = tensors;
      wg.resetStats();
      const y = a!.add(b!).mul(c!).relu();
      try {
        wg.realize(y);
        const s = wg.stats();
        assert(s.dispatches === 1 && s.submits === 1, `realize ran ${counted(wg)}, expected 1 dispatch and 1 submit`);
        expectClose(y.shape, Array.from(await y.data()), SHAPE, expected, { atol: 1e-6 }, 'fused chain vs float64');
      } finally {
        for (const t of [...tensors, y]) t.dispose();
      }
    },
  },
];
