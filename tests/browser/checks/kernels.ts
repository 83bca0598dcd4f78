// Browser checks of the hand-written kernels' machinery: matmul variants (register/shared tiles,
// split-K dot, transposed reads), epilogues fused into one dispatch, the two-pass split of huge
// sums, and the row-wise softmax kernel fused with its epilogue.

import { assert, fill, matchesCpu, type Check, type Tensor, type Wg } from './compare';

/** Dispatches realizing `f` takes on webgpu, inputs uploaded first. */
async function dispatchesOf(wg: Wg, inputs: (w: Wg) => Tensor[], f: (...xs: Tensor[]) => Tensor): Promise<number> {
  await wg.setBackend('webgpu');
  const xs = inputs(wg);
  wg.realize(...xs);
  wg.resetStats();
  const y = f(...xs);
  await y.data();
  const n = wg.stats().dispatches;
  y.dispose();
  for (const x of xs) x.dispose();
  return n;
}

export const kernelChecks: Check[] = [
  {
    name: 'kernels: matmul variants (tiles, split-K dot, transposed operands) match the cpu',
    run: async (wg) => {
      await matchesCpu(wg, (w) => fill(w, [33, 65], 80).matmul(fill(w, [65, 17], 81)), { atol: 1e-4 });
      await matchesCpu(wg, (w) => fill(w, [3, 700], 82).matmul(fill(w, [700, 5], 83)), { atol: 1e-4 });
      await matchesCpu(wg, (w) => fill(w, [65, 17], 84).transpose().matmul(fill(w, [33, 65], 85).transpose()), { atol: 1e-4 });
    },
  },
  {
    name: 'kernels: dense matmul + bias + relu is one dispatch',
    run: async (wg) => {
      const f = (x: Tensor, w: Tensor, b: Tensor) => x.matmul(w).add(b).relu();
      await matchesCpu(wg, (w) => f(fill(w, [17, 33], 86), fill(w, [33, 65], 87), fill(w, [65], 88)), { atol: 1e-4 });
      const n = await dispatchesOf(wg, (w) => [fill(w, [17, 33], 86), fill(w, [33, 65], 87), fill(w, [65], 88)], f);
      assert(n === 1, `matmul+bias+relu took ${n} dispatches, expected 1`);
    },
  },
  {
    name: 'kernels: softmax with a fused epilogue is one dispatch',
    run: async (wg) => {
      await matchesCpu(wg, (w) => fill(w, [9, 129], 89).mul(1000).softmax().mul(2));
      const n = await dispatchesOf(wg, (w) => [fill(w, [9, 129], 89)], (x) => x.softmax().mul(2));
      assert(n === 1, `softmax then mul took ${n} dispatches, expected 1`);
    },
  },
  {
    name: 'kernels: huge sums split into two passes and match the cpu',
    run: async (wg) => {
      await matchesCpu(wg, (w) => fill(w, [100003], 90).square().sum(), { rtol: 1e-5, atol: 1e-3 });
      const n = await dispatchesOf(wg, (w) => [fill(w, [100003], 90)], (x) => x.square().sum());
      assert(n === 2, `a sum of 100003 values took ${n} dispatches, expected 2`);
    },
  },
];
