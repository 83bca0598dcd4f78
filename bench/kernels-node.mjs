// Node timing of the matmul and conv kernels at the benchmark's full sizes (Dawn; SwiftShader
// where there is no GPU): what calibration picked and how long it took, then matmul 1024 per
// variant and the convolutions of W3/W4/W5 against a matmul of equal FLOPs. Timings only.
// `node bench/kernels-node.mjs [matmul,conv|dw]` (dw: only the weight gradients); GFLOP/s per
// CPU-second too, steadier on a shared machine.

import { loadInNode } from './node-loader.mjs';

const { loader, wg } = await loadInNode();
const { matmulLaunch, MATMUL_VARIANTS } = await loader.ssrLoadModule('/src/ops/matmul.ts');
const { timeLaunches } = await loader.ssrLoadModule('/src/backend/webgpu/time-launch.ts');
const { gpuTarget } = await loader.ssrLoadModule('/src/backend/webgpu/lower.ts');
await wg.init({ backend: 'webgpu' });
const { webgpuBackend } = await loader.ssrLoadModule('/src/runtime.ts');
const backend = webgpuBackend();
const t0 = performance.now();
const choices = await backend.calibration.calibrateAll();
console.log(`calibration: ${(performance.now() - t0).toFixed(0)} ms; choices ${JSON.stringify(choices)}`);

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** Fastest wall and CPU ms of `runs` realizations of `build()`, read back through one element. */
async function time(build, runs = 3) {
  const one = (t) => t.reshape([-1]).slice([0], [1]).data();
  await one(build());
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < runs; i++) {
    const [w0, c0] = [performance.now(), cpuMs()];
    await one(build());
    wall = Math.min(wall, performance.now() - w0);
    cpu = Math.min(cpu, cpuMs() - c0);
  }
  return { wall, cpu };
}
/** One kernel's line; with `matmul`, its speed as a share of that matmul's (equal FLOPs). */
function row(name, { wall, cpu }, flops, matmul = null) {
  const rate = (ms) => (flops ? (flops / ms / 1e6).toFixed(2) : '-').padStart(8);
  const share = matmul ? `  ${((100 * matmul.wall) / wall).toFixed(0)}% / ${((100 * matmul.cpu) / cpu).toFixed(0)}% of the matmul's` : '';
  console.log(`${name.padEnd(46)} ${wall.toFixed(0).padStart(7)} ms ${rate(wall)} GFLOP/s ${rate(cpu)} GFLOP/cpu-s${share}`);
}
/** Rounds of the interleaved conv timings. */
const ROUNDS = 5;

const only = process.argv[2] ?? 'matmul,conv';
if (only.includes('matmul')) {
  // Each variant's kernel alone on zero-filled buffers, fastest of 3 (the graph's plan cache
  // would keep the first variant's pipeline for a repeated graph).
  const attrs = { batch: 1, m: 1024, k: 1024, n: 1024, batchA: 1, batchB: 1, transA: false, transB: false };
  const target = gpuTarget('swiftshader');
  for (const v of MATMUL_VARIANTS) {
    const timed = [{ launch: matmulLaunch(attrs, target, v), bindingBytes: [4 << 20, 4 << 20, 4 << 20] }];
    const [wall] = await timeLaunches(backend.device, timed, 2);
    const [cpu] = await timeLaunches(backend.device, timed, 2, cpuMs);
    row(`matmul 1024 ${v}`, { wall, cpu }, 2 * 1024 ** 3);
  }
}
if (only.includes('conv') || only.includes('dw')) {
  // [label, batch, size, cin, cout]: W5's conv, the CNN's second conv at W4's and W3's batch, its first at W3's.
  const shapes = [
    ['W5 conv 32×32 16→32 b32', 32, 32, 16, 32],
    ['W4 conv2 14×14 32→64 b256', 256, 14, 32, 64],
    ['W3 conv2 14×14 32→64 b64', 64, 14, 32, 64],
    ['W3 conv1 28×28 1→32 b64', 64, 28, 1, 32],
  ];
  const dwOnly = only.includes('dw');
  for (const [label, n, s, cin, cout] of shapes) {
    const flops = 2 * n * s * s * cout * 9 * cin;
    const x = wg.randn([n, s, s, cin]);
    const w = wg.randn([3, 3, cin, cout]);
    const dy = wg.randn([n, s, s, cout]);
    const ma = wg.randn([n * s * s, 9 * cin]);
    const mb = wg.randn([9 * cin, cout]);
    wg.realize(x, w, dy, ma, mb);
    // Interleaved rounds, the fastest of each kernel kept: on a shared machine a kernel timed
    // minutes after the matmul it is compared with drifts with the load.
    const kernels = [[`${label}: matmul of equal FLOPs`, () => ma.matmul(mb)]];
    if (!dwOnly) {
      kernels.push(['  forward', () => wg.conv2d(x, w, { padding: 'same' })]);
      kernels.push(['  input gradient', () => wg.conv2dTranspose(dy, w, { padding: 'same' })]);
    }
    kernels.push(['  weight gradient', () => wg.grad((w_) => wg.conv2d(x, w_, { padding: 'same' }).mul(dy).sum())(w)[0]]);
    const best = kernels.map(() => ({ wall: Infinity, cpu: Infinity }));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, [, build]] of kernels.entries()) {
        const t = await time(build, 1);
        best[i] = { wall: Math.min(best[i].wall, t.wall), cpu: Math.min(best[i].cpu, t.cpu) };
      }
    }
    kernels.forEach(([name], i) => row(name, best[i], flops, i ? best[0] : null));
  }
}
await loader.close();
