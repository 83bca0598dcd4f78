// Browser checks of tensor creation: from values, constants, ranges and seeded random draws
// (the same seed gives the same values on webgpu and cpu).

import { assert, equals, matchesCpu, valuesOn, type Check } from './compare';

export const creationChecks: Check[] = [
  {
    name: 'tensor from nested arrays keeps shape, dtype and values',
    run: async (wg) => {
      await equals(wg, (w) => w.tensor([[[1.5, -2]], [[3, 4e-3]]]), [2, 1, 2], [1.5, -2, 3, 4e-3], { dtype: 'float32' });
      await equals(wg, (w) => w.tensor([[1, -2, 3]], { dtype: 'int32' }), [1, 3], [1, -2, 3], { dtype: 'int32' });
      await equals(wg, (w) => w.tensor([true, false, true]), [3], [1, 0, 1], { dtype: 'bool' });
      await equals(wg, (w) => w.tensor(7), [], [7]);
    },
  },
  {
    name: 'tensor from typed arrays with a shape',
    run: async (wg) => {
      await equals(wg, (w) => w.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] }), [3, 2], [1, 2, 3, 4, 5, 6], { dtype: 'float32' });
      await equals(wg, (w) => w.tensor(new Int32Array([-7, 0, 2 ** 30]), { shape: [3] }), [3], [-7, 0, 2 ** 30], { dtype: 'int32' });
      await equals(wg, (w) => w.tensor(new Uint8Array([1, 0, 0, 1]), { shape: [2, 2] }), [2, 2], [1, 0, 0, 1], { dtype: 'bool' });
    },
  },
  {
    name: 'zeros, ones, full, zerosLike and onesLike realize on their own and in ops',
    run: async (wg) => {
      await equals(wg, (w) => w.zeros([2, 3]), [2, 3], [0, 0, 0, 0, 0, 0], { dtype: 'float32' });
      await equals(wg, (w) => w.ones([3], { dtype: 'int32' }), [3], [1, 1, 1], { dtype: 'int32' });
      await equals(wg, (w) => w.full([2, 2], -2.5), [2, 2], [-2.5, -2.5, -2.5, -2.5]);
      await equals(wg, (w) => w.full([2], 1, { dtype: 'bool' }), [2], [1, 1], { dtype: 'bool' });
      await equals(wg, (w) => w.zerosLike(w.tensor([[1, 2]], { dtype: 'int32' })), [1, 2], [0, 0], { dtype: 'int32' });
      await equals(wg, (w) => w.onesLike(w.tensor([[1], [2]])).add(w.tensor([10, 20])), [2, 2], [11, 21, 11, 21]);
    },
  },
  {
    name: 'arange with one, two and three arguments, negative steps and int32',
    run: async (wg) => {
      await equals(wg, (w) => w.arange(5), [5], [0, 1, 2, 3, 4]);
      await equals(wg, (w) => w.arange(2, 7), [5], [2, 3, 4, 5, 6]);
      await equals(wg, (w) => w.arange(1, 2, 0.25), [4], [1, 1.25, 1.5, 1.75]);
      await equals(wg, (w) => w.arange(10, 0, -3), [4], [10, 7, 4, 1]);
      await equals(wg, (w) => w.arange(-2, 2, 1, { dtype: 'int32' }), [4], [-2, -1, 0, 1], { dtype: 'int32' });
    },
  },
  {
    name: 'linspace includes both ends and eye is the identity',
    run: async (wg) => {
      await equals(wg, (w) => w.linspace(0, 1, 5), [5], [0, 0.25, 0.5, 0.75, 1]);
      await equals(wg, (w) => w.linspace(-3, 3, 1), [1], [-3]);
      await equals(wg, (w) => w.eye(3), [3, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1]);
      await matchesCpu(wg, (w) => w.eye(5).matmul(w.linspace(-1, 1, 15).reshape([5, 3])));
    },
  },
  {
    name: 'rand, randn and randint with a seed give the same values on webgpu and cpu',
    run: async (wg) => {
      await matchesCpu(wg, (w) => w.rand([7, 9], { seed: 11 }), { dtype: 'float32' });
      await matchesCpu(wg, (w) => w.randn([33], { seed: 12 }), { dtype: 'float32' });
      await matchesCpu(wg, (w) => w.randint(-3, 4, [5, 5], { seed: 13 }), { dtype: 'int32' });
      await matchesCpu(wg, (w) => {
        w.seed(99);
        return w.rand([4]).add(w.randn([4]));
      });
    },
  },
  {
    name: 'random draws: the same seed repeats, another seed differs, values follow their law',
    run: async (wg) => {
      const u = await valuesOn(wg, 'webgpu', (w) => w.rand([4096], { seed: 1 }));
      const again = await valuesOn(wg, 'webgpu', (w) => w.rand([4096], { seed: 1 }));
      const other = await valuesOn(wg, 'webgpu', (w) => w.rand([4096], { seed: 2 }));
      assert(u.values.every((v, i) => v === again.values[i]), 'rand with seed 1 twice gave different values');
      assert(u.values.some((v, i) => v !== other.values[i]), 'rand with seeds 1 and 2 gave the same values');
      assert(u.values.every((v) => v >= 0 && v < 1), 'rand gave a value outside [0, 1)');
      const uMean = mean(u.values);
      assert(Math.abs(uMean - 0.5) < 0.03, `rand mean ${uMean}, expected about 0.5`);

      const n = await valuesOn(wg, 'webgpu', (w) => w.randn([4096], { seed: 3 }));
      const nMean = mean(n.values);
      const nStd = Math.sqrt(mean(n.values.map((v) => (v - nMean) ** 2)));
      assert(Math.abs(nMean) < 0.06 && Math.abs(nStd - 1) < 0.06, `randn mean ${nMean} std ${nStd}, expected about 0 and 1`);

      const k = await valuesOn(wg, 'webgpu', (w) => w.randint(-2, 3, [2000], { seed: 4 }));
      assert(k.dtype === 'int32', `randint dtype ${k.dtype}, expected int32`);
      for (let v = -2; v < 3; v++) assert(k.values.includes(v), `randint(-2, 3) never drew ${v}`);
      assert(k.values.every((v) => Number.isInteger(v) && v >= -2 && v < 3), 'randint drew outside [-2, 3)');

      wg.seed(5);
      const first = await valuesOn(wg, 'webgpu', (w) => w.randn([16]));
      wg.seed(5);
      const second = await valuesOn(wg, 'webgpu', (w) => w.randn([16]));
      assert(first.values.every((v, i) => v === second.values[i]), 'wg.seed(5) twice gave different randn values');
    },
  },
];

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
