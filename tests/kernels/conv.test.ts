// conv2d, conv1d and conv2dTranspose (API.md "Neural-network functions") on both backends
// against an independent float64 reference: awkward sizes, every padding/stride/dilation/group
// combination, the 1×1 matmul path, bias, and the errors the ops throw at the call.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { checkBoth, countWork, expectNoGpuErrors, initBoth, seeded, wg } from '../helpers';
import { refAxis, refConv2d, refConv2dTranspose, type RefConv } from './conv-reference';
import { checkGpuMatchesCpu, rng, uniform } from '../autograd/gradcheck';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

const TOL = { rtol: 1e-4, atol: 1e-4 };

type Pad = 'valid' | 'same' | number;

/** Checks conv2d on both backends against the reference for one configuration. */
async function checkConv(xs: number[], ws: number[], o: RefConv & { seed?: number } = {}) {
  const seed = o.seed ?? 1;
  const x = seeded(xs.reduce((a, b) => a * b, 1), seed);
  const w = seeded(ws.reduce((a, b) => a * b, 1), seed + 100);
  const ref = refConv2d(x, xs, w, ws, o);
  const [ph, pw] = o.padding ?? ['valid', 'valid'];
  const padding = typeof ph === 'number' && typeof pw === 'number' ? ([ph, pw] as [number, number]) : (ph as 'valid' | 'same');
  const got = await checkBoth(
    () => wg.conv2d(wg.tensor(new Float32Array(x), { shape: xs }), wg.tensor(new Float32Array(w), { shape: ws }), { stride: o.stride, dilation: o.dilation, groups: o.groups, padding }),
    ref.data,
    TOL,
  );
  expect(got.shape).toEqual(ref.shape);
}

describe('conv2d', () => {
  test('a 3×3 valid conv matches values computed by hand', async () => {
    // x is 1..16 on a 4×4 grid, the kernel sums a 3×3 window: window sums of the grid.
    const x = wg.tensor(Array.from({ length: 16 }, (_, i) => i + 1)).reshape([1, 4, 4, 1]);
    const got = await checkBoth(() => wg.conv2d(wg.tensor(Array.from({ length: 16 }, (_, i) => i + 1)).reshape([1, 4, 4, 1]), wg.ones([3, 3, 1, 1])), [54, 63, 90, 99]);
    expect(got.shape).toEqual([1, 2, 2, 1]);
    expect(x.shape).toEqual([1, 4, 4, 1]);
  });

  const paddings: [Pad, Pad][] = [['valid', 'valid'], ['same', 'same'], [1, 1], [2, 0]];
  const strides: [number, number][] = [[1, 1], [2, 2], [2, 3]];
  const dilations: [number, number][] = [[1, 1], [2, 1]];
  for (const padding of paddings)
    for (const stride of strides)
      for (const dilation of dilations)
        test(`padding ${JSON.stringify(padding)}, stride ${stride}, dilation ${dilation} match the reference`, async () => {
          await checkConv([2, 9, 7, 3], [3, 2, 3, 5], { padding, stride, dilation });
        });

  test('same padding puts the odd extra pixel bottom/right (TensorFlow rule)', async () => {
    // 4×4 input, 2×2 kernel, stride 1: one row/column of padding, all of it after.
    const got = await checkBoth(() => wg.conv2d(wg.ones([1, 4, 4, 1]), wg.ones([2, 2, 1, 1]), { padding: 'same' }));
    expect(Array.from(got.data)).toEqual([4, 4, 4, 2, 4, 4, 4, 2, 4, 4, 4, 2, 2, 2, 2, 1]);
  });

  for (const [h, w, cin, cout] of [[1, 1, 1, 1], [3, 17, 3, 33], [17, 3, 5, 3], [33, 1, 2, 65], [65, 3, 1, 17], [1, 3, 4, 4], [17, 3, 8, 12], [3, 33, 16, 4], [5, 7, 3, 16], [33, 1, 2, 32], [3, 17, 1, 48]])
    test(`awkward size ${h}×${w}×${cin} → ${cout} with a 3×3 same conv`, async () => {
      await checkConv([1, h, w, cin], [3, 3, cin, cout], { padding: ['same', 'same'], seed: h + w });
    });

  test('batch 3 with 17 output channels and stride 2 (tile edges in both directions)', async () => {
    await checkConv([3, 6, 5, 4], [3, 3, 4, 17], { padding: ['same', 'same'], stride: [2, 2] });
  });

  for (const [cin, cout, groups] of [[6, 4, 2], [6, 9, 3], [8, 8, 4], [4, 4, 4], [3, 6, 3], [5, 5, 5], [8, 8, 2], [16, 8, 2], [16, 16, 2], [6, 32, 2]])
    test(`groups: ${cin} → ${cout} channels in ${groups} groups`, async () => {
      for (const padding of [['valid', 'valid'], ['same', 'same']] as [Pad, Pad][]) {
        await checkConv([2, 5, 6, cin], [3, 3, cin / groups, cout], { groups, padding, stride: [1, 2] });
      }
    });

  test('depthwise with dilation and stride', async () => {
    await checkConv([1, 9, 9, 6], [3, 3, 1, 12], { groups: 6, padding: ['same', 'same'], stride: [2, 2], dilation: [2, 2] });
  });

  test('1×1 stride-1 conv runs as a matmul', async () => {
    await checkConv([2, 3, 5, 7], [1, 1, 7, 3]);
    const y = wg.conv2d(wg.ones([2, 3, 5, 7]), wg.ones([1, 1, 7, 3]));
    expect(wg.explain(y)).toContain('matmul');
    expect(wg.explain(y)).not.toContain('conv2d');
  });

  test('bias adds one value per output channel', async () => {
    const bias = [0.5, -1, 2];
    const x = seeded(2 * 4 * 4 * 2, 3);
    const w = seeded(2 * 2 * 2 * 3, 4);
    const ref = refConv2d(x, [2, 4, 4, 2], w, [2, 2, 2, 3]);
    await checkBoth(
      () => wg.conv2d(wg.tensor(new Float32Array(x), { shape: [2, 4, 4, 2] }), wg.tensor(new Float32Array(w), { shape: [2, 2, 2, 3] }), { bias: wg.tensor(bias) }),
      ref.data.map((v, i) => v + bias[i % 3]),
      TOL,
    );
  });

  test('conv2d(...).add(bias).relu() realizes as one dispatch, depthwise and with a residual too', async () => {
    const x = seeded(2 * 6 * 5 * 3, 12);
    const w = seeded(3 * 3 * 3 * 5, 13);
    const bias = seeded(5, 14);
    const ref = refConv2d(x, [2, 6, 5, 3], w, [3, 3, 3, 5], { padding: ['same', 'same'] });
    const build = () => {
      const xt = wg.tensor(new Float32Array(x), { shape: [2, 6, 5, 3] });
      const wt = wg.tensor(new Float32Array(w), { shape: [3, 3, 3, 5] });
      wg.realize(xt, wt);
      return wg.conv2d(xt, wt, { padding: 'same' }).add(wg.tensor(bias)).relu();
    };
    await checkBoth(build, ref.data.map((v, i) => Math.max(0, v + bias[i % 5])), TOL);
    const y = build();
    const work = await countWork(() => y.data());
    expect(work.dispatches).toBe(1);
    const xt = wg.tensor(new Float32Array(x), { shape: [2, 6, 5, 3] });
    const wd = wg.tensor(new Float32Array(seeded(3 * 3 * 1 * 6, 15)), { shape: [3, 3, 1, 6] });
    const b = wg.tensor(new Float32Array(seeded(6, 16)));
    const r = wg.tensor(new Float32Array(seeded(2 * 6 * 5 * 6, 17)), { shape: [2, 6, 5, 6] });
    wg.realize(xt, wd, b, r);
    const z = wg.conv2d(xt, wd, { groups: 3, padding: 'same', bias: b }).relu().add(r);
    expect((await countWork(() => z.data())).dispatches).toBe(1);
  });

  test('errors name the op, the shapes and what was expected', () => {
    const x = wg.zeros([1, 5, 5, 4]);
    expect(() => wg.conv2d(x, wg.zeros([3, 3, 3, 2]))).toThrow(wg.ShapeError);
    expect(() => wg.conv2d(x, wg.zeros([3, 3, 3, 2]))).toThrow(/conv2d.*\[3,3,3,2\].*expected.*4/);
    expect(() => wg.conv2d(x, wg.zeros([3, 3, 2, 3]), { groups: 2 })).toThrow(/conv2d: groups 2 must divide/);
    expect(() => wg.conv2d(x, wg.zeros([6, 6, 4, 2]))).toThrow(/conv2d.*kernel spans 6.*padded input has only 5/);
    expect(() => wg.conv2d(x, wg.zeros([3, 3, 4, 2]), { stride: 0 })).toThrow(wg.ArgumentError);
    expect(() => wg.conv2d(x, wg.zeros([3, 3, 4, 2]), { dilation: [1, -1] })).toThrow(/conv2d: dilation must be an integer ≥ 1/);
    expect(() => wg.conv2d(x, wg.zeros([3, 3, 4, 2]), { padding: 'full' as 'same' })).toThrow(/conv2d: padding must be 'valid', 'same'/);
    expect(() => wg.conv2d(wg.zeros([5, 5, 4]), wg.zeros([3, 3, 4, 2]))).toThrow(/conv2d: expected x \[N,H,W,Cin\]/);
    expect(() => wg.conv2d(x, wg.zeros([3, 3, 4, 2]), { bias: wg.zeros([3]) })).toThrow(/conv2d: bias must have shape \[2\]/);
  });
});

describe('conv2d with a short reduction (KH·KW·Cin ≤ 36, Cout % 4 = 0: the direct kernel on WebGPU)', () => {
  // [x shape, w shape, options]: reductions of 1, 2·3·2, 9, 27 and 36 terms; 4, 8, 20, 32, 36,
  // 64 and 132 output channels (4, 3, 2 and 1 pixels per invocation); rows whose width leaves a
  // partial tile of pixels; strides and dilations along the row (taps the pixels share).
  const cases: [number[], number[], RefConv][] = [
    [[2, 7, 5, 1], [3, 3, 1, 32], { padding: ['same', 'same'] }],
    [[2, 6, 7, 1], [3, 3, 1, 64], { padding: ['same', 'same'], dilation: [1, 2] }],
    [[1, 4, 3, 1], [3, 3, 1, 132], { padding: ['same', 'same'] }],
    [[1, 9, 7, 3], [3, 3, 3, 20], { padding: ['same', 'same'], stride: [2, 2] }],
    [[2, 6, 9, 2], [2, 3, 2, 4], { padding: [1, 2], dilation: [2, 1] }],
    [[1, 5, 5, 4], [3, 3, 4, 36], { padding: ['valid', 'valid'], stride: [1, 2] }],
    [[3, 5, 3, 1], [1, 1, 1, 8], { stride: [2, 2] }],
  ];
  for (const [xs, ws, o] of cases)
    test(`${xs} * ${ws} ${JSON.stringify(o)} matches the reference`, async () => {
      await checkConv(xs, ws, { ...o, seed: xs[1] + ws[3] });
    });

  test('bias and relu run in its kernel: one dispatch', async () => {
    const x = seeded(2 * 7 * 5, 40);
    const w = seeded(9 * 32, 41);
    const bias = seeded(32, 42);
    const ref = refConv2d(x, [2, 7, 5, 1], w, [3, 3, 1, 32], { padding: ['same', 'same'] });
    const xt = wg.tensor(new Float32Array(x), { shape: [2, 7, 5, 1] });
    const wt = wg.tensor(new Float32Array(w), { shape: [3, 3, 1, 32] });
    const b = wg.tensor(bias);
    wg.realize(xt, wt, b);
    const build = () => wg.conv2d(xt, wt, { padding: 'same', bias: b }).relu();
    await checkBoth(build, ref.data.map((v, i) => Math.max(0, v + bias[i % 32])), TOL);
    const y = build();
    expect((await countWork(() => y.data())).dispatches).toBe(1);
  });

  test('its gradients (the conv kernels\' own) equal the CPU backend', async () => {
    const next = rng(43);
    await checkGpuMatchesCpu((x, w) => wg.conv2d(x, w, { padding: 'same' }), [uniform(next, [2, 7, 5, 1]), uniform(next, [3, 3, 1, 32])]);
    await wg.init({ backend: 'webgpu' });
  });
});

describe('conv1d', () => {
  for (const padding of ['valid', 'same', 2] as Pad[])
    test(`padding ${padding} with stride 2 and dilation 2 matches the 2-D reference`, async () => {
      const x = seeded(2 * 17 * 3, 5);
      const w = seeded(3 * 3 * 4, 6);
      const ref = refConv2d(x, [2, 1, 17, 3], w, [1, 3, 3, 4], { padding: ['valid', padding], stride: [1, 2], dilation: [1, 2] });
      const got = await checkBoth(
        () => wg.conv1d(wg.tensor(new Float32Array(x), { shape: [2, 17, 3] }), wg.tensor(new Float32Array(w), { shape: [3, 3, 4] }), { padding, stride: 2, dilation: 2 }),
        ref.data,
        TOL,
      );
      expect(got.shape).toEqual([2, ref.shape[2], 4]);
    });

  test('a rank-4 input is an error naming conv1d', () => {
    expect(() => wg.conv1d(wg.zeros([1, 1, 5, 3]), wg.zeros([3, 3, 4]))).toThrow(/conv1d: expected x \[N,L,Cin\]/);
  });
});

describe('conv2dTranspose', () => {
  const cases: { name: string; h: number; k: number; s: number; d: number; padding: Pad; outPad?: number; out: number; pad: number }[] = [
    { name: 'valid, stride 2', h: 5, k: 3, s: 2, d: 1, padding: 'valid', out: 11, pad: 0 },
    { name: 'same, stride 2 (H·stride)', h: 5, k: 3, s: 2, d: 1, padding: 'same', out: 10, pad: 0 },
    { name: 'same, stride 1, 4×4 kernel', h: 6, k: 4, s: 1, d: 1, padding: 'same', out: 6, pad: 1 },
    { name: 'padding 1, stride 2, outputPadding 1', h: 4, k: 3, s: 2, d: 1, padding: 1, outPad: 1, out: 8, pad: 1 },
    { name: 'padding 2, stride 3, dilation 2', h: 3, k: 3, s: 3, d: 2, padding: 2, out: 7, pad: 2 },
    { name: 'valid, stride 1, dilation 2', h: 4, k: 2, s: 1, d: 2, padding: 'valid', out: 6, pad: 0 },
    { name: 'valid, stride 3 longer than the kernel 2 (Keras: H·stride)', h: 4, k: 2, s: 3, d: 1, padding: 'valid', out: 12, pad: 0 },
  ];
  for (const c of cases)
    test(`${c.name}: size (H−1)·s − 2p + d·(K−1) + outputPadding + 1 and values`, async () => {
      const xs = [2, c.h, c.h + 1, 3];
      const ws = [c.k, c.k, 5, 3];
      const x = seeded(xs.reduce((a, b) => a * b, 1), 7);
      const w = seeded(ws.reduce((a, b) => a * b, 1), 8);
      const outW = c.padding === 'same' && c.outPad === undefined ? (c.h + 1) * c.s : c.out + c.s;
      const ref = refConv2dTranspose(x, xs, w, ws, { stride: [c.s, c.s], dilation: [c.d, c.d], pad: [c.pad, c.pad], out: [c.out, outW] });
      const got = await checkBoth(
        () =>
          wg.conv2dTranspose(wg.tensor(new Float32Array(x), { shape: xs }), wg.tensor(new Float32Array(w), { shape: ws }), {
            stride: c.s,
            dilation: c.d,
            padding: c.padding,
            outputPadding: c.outPad,
          }),
        ref.data,
        TOL,
      );
      expect(got.shape).toEqual([2, c.out, outW, 5]);
    });

  test('is the adjoint of conv2d: <conv2d(x), y> = <x, conv2dTranspose(y)>', async () => {
    const xs = [2, 7, 6, 3];
    const ws = [3, 3, 3, 4];
    const x = seeded(2 * 7 * 6 * 3, 9);
    const w = seeded(3 * 3 * 3 * 4, 10);
    const a = refAxis(7, 3, 2, 1, 'same');
    const b = refAxis(6, 3, 2, 1, 'same');
    const y = seeded(2 * a.out * b.out * 4, 11);
    const fwd = refConv2d(x, xs, w, ws, { stride: [2, 2], padding: ['same', 'same'] });
    const lhs = fwd.data.reduce((s, v, i) => s + v * y[i], 0);
    // conv2d's kernel [KH,KW,Cin,Cout] is conv2dTranspose's [KH,KW,Cout',Cin'] with Cout' = 3.
    const back = await checkBoth(
      () =>
        wg.conv2dTranspose(wg.tensor(new Float32Array(y), { shape: [2, a.out, b.out, 4] }), wg.tensor(new Float32Array(w), { shape: ws }), {
          stride: 2,
          padding: 'same',
          outputPadding: [0, 1],
        }),
    );
    expect(back.shape).toEqual(xs);
    const rhs = Array.from(back.data).reduce((s, v, i) => s + v * x[i], 0);
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-3 * Math.max(1, Math.abs(lhs)));
  });

  test('bias and errors', async () => {
    const got = await checkBoth(() => wg.conv2dTranspose(wg.ones([1, 2, 2, 1]), wg.ones([1, 1, 2, 1]), { bias: wg.tensor([1, -1]) }));
    expect(Array.from(got.data)).toEqual([2, 0, 2, 0, 2, 0, 2, 0]);
    expect(() => wg.conv2dTranspose(wg.zeros([1, 4, 4, 3]), wg.zeros([3, 3, 2, 4]))).toThrow(/conv2dTranspose: w \[3,3,2,4\] has 4 input channels.*expected 3/);
    expect(() => wg.conv2dTranspose(wg.zeros([1, 4, 4, 3]), wg.zeros([3, 3, 2, 3]), { stride: 2, outputPadding: 2 })).toThrow(/conv2dTranspose: outputPadding 2/);
    expect(() => wg.conv2dTranspose(wg.zeros([1, 1, 1, 3]), wg.zeros([1, 1, 2, 3]), { padding: 1 })).toThrow(wg.ShapeError);
  });
});
