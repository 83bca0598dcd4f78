// Quick local timing of the conv and pool kernels in Node (Dawn; SwiftShader where there is no
// GPU): the DESIGN.md workload conv2d batch 32, 32×32×16 → 32, 3×3 same, its two gradient
// kernels, and the 2×2 max pool of its output. `node bench/conv-node.mjs`. Timings only.

import { loadInNode } from './node-loader.mjs';

const { loader, wg } = await loadInNode();
await wg.init({ backend: process.argv[2] === 'cpu' ? 'cpu' : 'webgpu' });

/** Fastest and median ms of `runs` realizations of `build()`, read back through one element. */
async function time(build, runs = 7) {
  const one = (t) => t.reshape([-1]).slice([0], [1]).data();
  await one(build()); // compile and warm up
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await one(build());
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { min: ms[0], median: ms[Math.floor(ms.length / 2)] };
}

const x = wg.randn([32, 32, 32, 16]);
const w = wg.randn([3, 3, 16, 32]);
const dy = wg.randn([32, 32, 32, 32]);
wg.realize(x, w, dy);
const flops = 2 * 32 * 32 * 32 * 32 * 3 * 3 * 16;
const a = wg.randn([32 * 32 * 32, 144]);
const b = wg.randn([144, 32]);
wg.realize(a, b);
const rows = [
  ['matmul 32768×144 · 144×32 (same FLOPs)', () => a.matmul(b), flops],
  ['conv2d 32×32×32×16 → 32, 3×3 same', () => wg.conv2d(x, w, { padding: 'same' }), flops],
  ['  + bias + relu (epilogue)', () => wg.conv2d(x, w, { padding: 'same', bias: wg.ones([32]) }).relu(), flops],
  ['  input gradient (conv2dTranspose)', () => wg.conv2dTranspose(dy, w, { padding: 'same' }), flops],
  ['  weight gradient', () => wg.grad((w_) => wg.conv2d(x, w_, { padding: 'same' }).mul(dy).sum())(w)[0], flops],
  ['maxPool2d 2×2 of its output', () => wg.maxPool2d(dy, { kernelSize: 2 }), 0],
  ['  its gradient', () => wg.grad((y) => wg.maxPool2d(y, { kernelSize: 2 }).sum())(dy)[0], 0],
];
console.log(`${'workload'.padEnd(40)}   min ms  median ms  GFLOP/s (at min)`);
for (const [name, build, work] of rows) {
  const { min, median } = await time(build);
  const rate = work ? (work / min / 1e6).toFixed(2) : '-';
  console.log(`${name.padEnd(40)} ${min.toFixed(1).padStart(8)} ${median.toFixed(1).padStart(10)} ${rate.padStart(9)}`);
}
await loader.close();
