// A seeded fuzz of malformed calls over every op family, on both backends, as a new user would
// make them. Each outcome is classified: GOOD (a WebgradError naming the op, thrown at the call
// or, for async readbacks, rejected by it), WEAK (another error, or a message naming another
// op), LATE (an error only at readback), SILENT (a result). Every bad call must be GOOD, no
// WebGPU error may arise, and afterwards live tensors are back and a normal computation is right.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectNoGpuErrors, initBoth, useBackend, wg } from '../helpers';
import type { Tensor } from '../../src/node';

beforeAll(initBoth);

/** One malformed call: `run` must fail with a WebgradError whose message starts with `op:`. */
interface BadCall {
  readonly op: string;
  readonly run: () => unknown;
}

type Outcome = 'GOOD' | 'WEAK' | 'LATE' | 'SILENT';

const CALLS_PER_FAMILY = 180;

const m = (shape: number[] = [2, 3, 4]) => wg.zeros(shape);
const ints = (values: number[]) => wg.tensor(values, { dtype: 'int32' });
const disposed = () => {
  const t = wg.ones([2, 3]);
  t.dispose();
  return t;
};
const call = (op: string, run: () => unknown): BadCall => ({ op, run });

/** Not a tensor and not a number (NaN is a number: a NaN scalar operand is valid). */
const notOperand = fc.constantFrom<unknown>(null, {}, 'a', [1], undefined, true, () => 0);
const badAxis3 = fc.oneof(fc.integer({ min: 3, max: 9 }), fc.integer({ min: -9, max: -4 }), fc.constantFrom(0.5, NaN, Infinity));
const badAxisArg = fc.oneof(badAxis3, fc.constantFrom<unknown>(null, {}, 'a', [0, 0], [1, 5], true));
const notOptions = fc.constantFrom<unknown>('same', 'tanh', 5, [1], null, true);
const badShape = fc.constantFrom<unknown>([-1], [1.5], 'a', null, [NaN], [2 ** 31, 2], [65536, 65536, 4], {}, [2, '3']);
const badDType = fc.constantFrom<unknown>('float64', 'uint8', 'int', '', 3, null);
const unknownKey = fc.constantFrom('dtyp', 'keepdims', 'shape2', 'axis', 'toString');

const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual'] as const;
const UNARY = ['neg', 'abs', 'exp', 'log', 'sqrt', 'relu', 'sigmoid', 'tanh', 'softplus', 'floor', 'square', 'sin'] as const;
const REDUCE = ['sum', 'mean', 'max', 'min', 'prod', 'variance', 'logSumExp'] as const;
const CREATE = ['zeros', 'ones', 'rand', 'randn'] as const;

const creation: fc.Arbitrary<BadCall> = fc.oneof(
  fc.tuple(fc.constantFrom(...CREATE), badShape).map(([op, s]) => call(op, () => wg[op](s as number[]))),
  fc.tuple(badShape).map(([s]) => call('full', () => wg.full(s as number[], 1))),
  fc.tuple(fc.constantFrom(...CREATE), notOptions).map(([op, o]) => call(op, () => wg[op]([2], o as never))),
  fc.tuple(fc.constantFrom(...CREATE), unknownKey).map(([op, k]) => call(op, () => wg[op]([2], { [k]: 1 } as never))),
  fc.tuple(fc.constantFrom('zeros', 'ones'), badDType).map(([op, d]) => call(op, () => wg[op as 'zeros']([2], { dtype: d as never }))),
  fc.constantFrom('int32', 'bool').map((d) => call('rand', () => wg.rand([2], { dtype: d as never }))),
  fc.constantFrom(3e9, -3e9, NaN, Infinity).map((v) => call('tensor', () => wg.tensor([1, v], { dtype: 'int32' }))),
  fc.constantFrom(3e9, NaN).map((v) => call('full', () => wg.full([2], v, { dtype: 'int32' }))),
  fc.constantFrom<unknown>([[1, 2], [3]], [1, 'a'], 'abc', null, { a: 1 }, [[1], 2]).map((v) => call('tensor', () => wg.tensor(v as never))),
  fc.constantFrom<unknown>('x', 1, null, { requiresGrad: 'yes' }, { seed: 1 }).map((o) => call('tensor', () => wg.tensor([1], o as never))),
  fc.constantFrom([0, 5, 0], [0, NaN, 1], [Infinity, 1, 1], [0, 1, -0]).map(([a, b, s]) => call('arange', () => wg.arange(a, b, s))),
  fc.constantFrom(-1, 1.5, NaN).map((n) => call('linspace', () => wg.linspace(0, 1, n))),
  fc.constantFrom(-1, 1.5, NaN, 1e6).map((n) => call('eye', () => wg.eye(n))),
  fc.constantFrom([3, 3], [5, 1], [0.5, 2]).map(([lo, hi]) => call('randint', () => wg.randint(lo, hi, [2]))),
  fc.constantFrom('zerosLike', 'onesLike').map((op) => call(op, () => wg[op as 'zerosLike'](disposed()))),
  fc.tuple(fc.constantFrom('zerosLike', 'onesLike'), unknownKey).map(([op, k]) => call(op, () => wg[op as 'zerosLike'](m(), { [k]: 1 } as never))),
);

const elementwise: fc.Arbitrary<BadCall> = fc.oneof(
  fc.tuple(fc.constantFrom(...BINARY), fc.constantFrom([4], [3, 2], [2, 4, 4], [5, 1, 1, 3])).map(([op, s]) => call(op, () => m()[op](wg.zeros(s)))),
  fc.tuple(fc.constantFrom(...BINARY), notOperand).map(([op, v]) => call(op, () => m()[op](v as never))),
  fc.constantFrom(...BINARY).map((op) => call(op, () => wg[op](disposed(), 1))),
  fc.constantFrom(...UNARY).map((op) => call(op, () => wg[op](disposed()))),
  fc.tuple(fc.constantFrom(...UNARY), notOperand).map(([op, v]) => call(op, () => wg[op](v as never))),
  fc.tuple(fc.constantFrom('leakyRelu', 'elu'), fc.constantFrom<unknown>(NaN, Infinity, 'a', null)).map(([op, a]) => call(op, () => m()[op as 'elu'](a as number))),
  fc.tuple(notOptions).map(([o]) => call('gelu', () => m().gelu(o as never))),
  fc.constantFrom<unknown>({ approximate: 'fast' }, { approx: 'tanh' }, { approximate: true }).map((o) => call('gelu', () => m().gelu(o as never))),
  fc.constantFrom([1, 0], [NaN, 1], [0, NaN], ['a', 1]).map(([lo, hi]) => call('clip', () => m().clip(lo as number, hi as number))),
  fc.constant(call('clip', () => disposed().clip(0, 1))),
  fc.tuple(badDType).map(([d]) => call('cast', () => m().cast(d as never))),
  fc.constantFrom(() => m(), () => ints([1])).map((c) => call('where', () => wg.where(c(), 1, 0))),
  fc.constant(call('where', () => wg.where(wg.tensor([true, false]), m([3]), 0))),
  fc.constant(call('sub', () => wg.tensor([true]).sub(wg.tensor([false, true])))),
  fc.constant(call('neg', () => wg.tensor([true]).neg())),
);

const reduction: fc.Arbitrary<BadCall> = fc.oneof(
  fc.tuple(fc.constantFrom(...REDUCE, 'argmax', 'argmin'), badAxisArg).map(([op, a]) => call(op, () => m()[op](a as never))),
  fc.tuple(fc.constantFrom(...REDUCE, 'argmax', 'argmin'), fc.constantFrom<unknown>('false', 1, 0, null, {})).map(([op, k]) => call(op, () => m()[op](0, k as never))),
  fc.tuple(fc.constantFrom('max', 'min', 'argmax', 'argmin'), fc.constantFrom([2, 0], [0], [0, 3])).map(([op, s]) => call(op, () => wg.zeros(s)[op as 'max'](s.length === 2 && s[0] !== 0 ? 1 : undefined))),
  fc.constantFrom('argmax', 'argmin').map((op) => call(op, () => wg.tensor([true, false])[op as 'argmax']())),
  fc.constantFrom(...REDUCE, 'argmax', 'argmin').map((op) => call(op, () => disposed()[op]())),
);

const movement: fc.Arbitrary<BadCall> = fc.oneof(
  fc.constantFrom<unknown>([5, 5], [-1, -1], [7, -1], [24.5], null, 'a', [2, 3, 4, 0]).map((s) => call('reshape', () => m().reshape(s as number[]))),
  fc.constant(call('reshape', () => wg.zeros([0, 3]).reshape([-1, 0]))),
  fc.constantFrom<unknown>([0, 0, 1], [0, 1], [0, 1, 3], 1, null, 'a', {}).map((p) => call('transpose', () => m().transpose(p as number[]))),
  badAxis3.filter((a) => a !== 3 && a !== -4).map((a) => call('expandDims', () => m().expandDims(a))),
  fc.constantFrom<unknown>(0, 1, 5, [0, 0.5], 'a', null, {}).map((a) => call('squeeze', () => m().squeeze(a as number))),
  fc.constantFrom([3], [2, 3, 5], [1, 3, 4], [4, 3, 4]).map((s) => call('broadcastTo', () => m().broadcastTo(s))),
  fc.constantFrom<unknown>('a', null, [2, 3, -1]).map((s) => call('broadcastTo', () => m().broadcastTo(s as number[]))),
  fc.constantFrom<[unknown, unknown]>([[0, 0, 0], [3, 1, 1]], [[2], [1]], [[0, 4], [1, -1]], [null, [1, 1]], [[0], 'a'], [[0, 0, 0, 0], [1, 1, 1, 1]], [[0.5], [1]], [[0], [1, 2]]).map(([b, s]) => call('slice', () => m().slice(b as number[], s as number[]))),
  fc.constantFrom<unknown>([[0, -1], [0, 0], [0, 0]], [[0, 1]], null, [[1e6, 1e6], [1e6, 0], [0, 0]], [[0.5, 0], [0, 0], [0, 0]], 'a').map((p) => call('pad', () => m().pad(p as never))),
  fc.constantFrom(NaN, Infinity).map((v) => call('pad', () => m().pad([[0, 1], [0, 0], [0, 0]], v))),
  badAxis3.map((a) => call('flatten', () => m().flatten(a))),
  fc.constantFrom('reshape', 'transpose', 'flatten', 'squeeze').map((op) => call(op, () => (disposed() as unknown as Record<string, () => unknown>)[op]())),
);

const joining: fc.Arbitrary<BadCall> = fc.oneof(
  fc.constantFrom<unknown>([], null, 'a', [1, 2]).map((xs) => call('concat', () => wg.concat(xs as Tensor[]))),
  fc.constantFrom<unknown>([], null, 'a').map((xs) => call('stack', () => wg.stack(xs as Tensor[]))),
  fc.constantFrom([2, 4, 4], [3, 4], [2, 3, 5]).map((s) => call('concat', () => wg.concat([m(), wg.zeros(s)], 0))),
  fc.constant(call('concat', () => wg.concat([m(), m().cast('int32')]))),
  fc.constant(call('stack', () => wg.stack([m(), m().cast('int32')]))),
  fc.constantFrom([2, 4, 4], [3, 4]).map((s) => call('stack', () => wg.stack([m(), wg.zeros(s)]))),
  badAxis3.map((a) => call('concat', () => wg.concat([m(), m()], a))),
  fc.constantFrom(5, 9, -1, -3).map((i) => call('gather', () => m([2, 3]).gather(ints([0, i])))),
  fc.constantFrom(3, -1).map((i) => call('gather', () => m([2, 3]).gather(ints([i]), 1))),
  fc.constant(call('gather', () => m([2, 3]).gather(wg.tensor([0, 1])))),
  badAxis3.map((a) => call('gather', () => m().gather(ints([0]), a))),
  fc.constantFrom(3, 5, -1).map((i) => call('oneHot', () => wg.oneHot(ints([0, i]), 3))),
  fc.constantFrom(0, -1, 1.5, NaN).map((d) => call('oneHot', () => wg.oneHot(ints([0]), d))),
  fc.constant(call('oneHot', () => wg.oneHot(wg.tensor([0, 1]), 3))),
);

const linalg: fc.Arbitrary<BadCall> = fc.oneof(
  fc.constantFrom<[number[], number[]]>([[3], [3, 2]], [[2, 3], [2, 3]], [[2, 2, 3], [3, 3, 1]], [[4, 2, 3], [5, 3, 2]], [[2, 3], [4]]).map(([a, b]) => call('matmul', () => wg.zeros(a).matmul(wg.zeros(b)))),
  fc.constant(call('matmul', () => wg.zeros([2, 2], { dtype: 'int32' }).matmul(wg.zeros([2, 2])))),
  fc.constantFrom<unknown>(null, 2, 'a').map((b) => call('matmul', () => m([2, 2]).matmul(b as Tensor))),
  fc.tuple(fc.constantFrom('softmax', 'logSoftmax'), badAxis3).map(([op, a]) => call(op, () => m()[op as 'softmax'](a))),
  fc.constantFrom('softmax', 'logSoftmax').map((op) => call(op, () => wg.tensor(1)[op as 'softmax']())),
  fc.constantFrom('softmax', 'logSoftmax').map((op) => call(op, () => disposed()[op as 'softmax']())),
);

const x4 = () => wg.zeros([1, 5, 5, 2]);
const w4 = (cin = 2) => wg.zeros([3, 3, cin, 4]);
const conv: fc.Arbitrary<BadCall> = fc.oneof(
  fc.constantFrom<[number[], number[]]>([[5, 5, 2], [3, 3, 2, 4]], [[1, 5, 5, 2], [3, 3, 3, 4]], [[1, 5, 5, 2], [3, 3, 2]], [[1, 2, 2, 2], [3, 3, 2, 4]], [[1, 5, 5, 2], [0, 3, 2, 4]]).map(([a, b]) => call('conv2d', () => wg.conv2d(wg.zeros(a), wg.zeros(b)))),
  notOptions.map((o) => call('conv2d', () => wg.conv2d(x4(), w4(), o as never))),
  fc.constantFrom<unknown>({ stride: 0 }, { stride: [1] }, { stride: 1.5 }, { padding: 'full' }, { padding: -1 }, { dilation: 0 }, { groups: 0 }, { groups: 3 }, { groups: 1.5 }, { bias: wg.zeros([3]) }, { bias: 'b' }, { strides: 2 }, { pad: 1 }).map((o) => call('conv2d', () => wg.conv2d(x4(), w4(), o as never))),
  fc.constantFrom<[number[], number[]]>([[1, 8, 2], [3, 3, 2]], [[8, 2], [3, 2, 2]], [[1, 2, 2], [3, 2, 2]], [[1, 8, 4], [3, 2, 3]]).map(([a, b]) => call('conv1d', () => wg.conv1d(wg.zeros(a), wg.zeros(b)))),
  fc.constantFrom<unknown>({ padding: [1, 1] }, { padding: [0, 1] }, { stride: [1, 2] }, { stride: 0 }, { dilation: 'a' }, { groups: 3 }, { bias: wg.zeros([5]) }, 'same', { kernel: 3 }).map((o) => call('conv1d', () => wg.conv1d(wg.zeros([1, 8, 2]), wg.zeros([3, 2, 4]), o as never))),
  fc.constantFrom<unknown>({ groups: 2 }, 'same', { stride: 0 }, { outputPadding: 2 }, { outputPadding: [1, 1], stride: 1 }, { padding: 'full' }, { bias: wg.zeros([3]) }).map((o) => call('conv2dTranspose', () => wg.conv2dTranspose(wg.zeros([1, 4, 4, 2]), wg.zeros([3, 3, 4, 2]), o as never))),
  fc.constantFrom<[number[], number[]]>([[1, 4, 4, 2], [3, 3, 4, 3]], [[4, 4, 2], [3, 3, 4, 2]], [[1, 4, 4, 2], [3, 3, 0, 2]]).map(([a, b]) => call('conv2dTranspose', () => wg.conv2dTranspose(wg.zeros(a), wg.zeros(b)))),
  fc.constantFrom('conv2d', 'conv1d', 'conv2dTranspose').map((op) => call(op, () => (wg[op as 'conv2d'] as (x: Tensor, w: Tensor) => Tensor)(disposed(), wg.zeros([3, 3])))),
);

const pool: fc.Arbitrary<BadCall> = fc.oneof(
  fc.tuple(fc.constantFrom('maxPool2d', 'avgPool2d'), fc.constantFrom<unknown>(undefined, 2, 'same', null, {}, { kernelSize: 0 }, { kernelSize: [2] }, { kernelSize: 2, stride: 0 }, { kernelSize: 2, padding: 2 }, { kernelSize: 9 }, { kernelSize: 2, pool: 2 }, { kernelSize: 2, padding: 'full' })).map(([op, o]) => call(op, () => wg[op as 'maxPool2d'](x4(), o as never))),
  fc.constantFrom<unknown>({ kernelSize: 2, countIncludePad: 'yes' }, { kernelSize: 2, countIncludePad: 1 }).map((o) => call('avgPool2d', () => wg.avgPool2d(x4(), o as never))),
  fc.tuple(fc.constantFrom('maxPool2d', 'avgPool2d'), fc.constantFrom(() => wg.zeros([5, 5, 2]), () => wg.zeros([1, 4, 4, 2], { dtype: 'int32' }), disposed)).map(([op, x]) => call(op, () => wg[op as 'maxPool2d'](x(), { kernelSize: 2 }))),
  fc.constantFrom(() => wg.zeros([5, 5]), () => wg.zeros([1, 2, 2, 1], { dtype: 'int32' }), disposed).map((x) => call('globalAvgPool2d', () => wg.globalAvgPool2d(x()))),
);

const autograd: fc.Arbitrary<BadCall> = fc.oneof(
  fc.constant(call('backward', () => m().sum().backward())),
  fc.constantFrom([2], [1, 1]).map((s) => call('backward', () => wg.ones([2, 2], { requiresGrad: true }).mul(2).backward(wg.ones(s)))),
  fc.constant(call('backward', () => wg.ones([2], { requiresGrad: true }).mul(2).backward())),
  fc.constant(call('requiresGrad_', () => ints([1]).requiresGrad_())),
  fc.constant(call('requiresGrad_', () => disposed().requiresGrad_())),
  fc.constantFrom<unknown>(null, 1, 'f').map((f) => call('grad', () => wg.grad(f as never))),
  fc.constantFrom<unknown>(null, 1, 'f').map((f) => call('valueAndGrad', () => wg.valueAndGrad(f as never))),
  fc.constantFrom('grad', 'valueAndGrad').map((op) => call(op, () => wg[op as 'grad']((x: Tensor) => x.mul(2))(wg.ones([3])))),
  fc.constantFrom('grad', 'valueAndGrad').map((op) => call(op, () => wg[op as 'grad']((x: Tensor) => x.sum())(disposed()))),
  fc.constantFrom('data', 'array', 'item', 'print').map((op) => call(op, () => (disposed() as unknown as Record<string, () => Promise<unknown>>)[op]())),
  fc.constant(call('item', () => m().item())),
);

const engine: fc.Arbitrary<BadCall> = fc.oneof(
  fc.constantFrom<unknown>(null, {}, 1).map((t) => call('realize', () => wg.realize(t as Tensor))),
  fc.constantFrom<unknown>(null, {}, 1).map((t) => call('explain', () => wg.explain(t as Tensor))),
  fc.constantFrom<unknown>(null, 1, 'x').map((t) => call('keep', () => wg.keep(t as Tensor))),
  fc.constantFrom<unknown>(null, 1, 'f').map((f) => call('tidy', () => wg.tidy(f as never))),
  fc.constantFrom<unknown>(null, 1, 'f').map((f) => call('warmup', () => wg.warmup(f as never))),
  fc.constantFrom<unknown>('a', Infinity, NaN, null).map((n) => call('seed', () => wg.seed(n as number))),
  fc.constantFrom<unknown>('webgl', 'gpu', '').map((b) => call('setBackend', () => wg.setBackend(b as never))),
  fc.constantFrom<unknown>('webgl', 'CPU').map((b) => call('init', () => wg.init({ backend: b as never }))),
);

const FAMILIES: Record<string, fc.Arbitrary<BadCall>> = { creation, elementwise, reduction, movement, joining, linalg, conv, pool, autograd, engine };

function isGood(e: unknown, op: string): boolean {
  return e instanceof wg.WebgradError && e.message.startsWith(`${op}:`);
}

/** Runs one bad call inside a tidy scope (its inputs are freed) and classifies what happened. */
async function classify(c: BadCall): Promise<{ outcome: Outcome; detail: string }> {
  let result: unknown;
  try {
    result = wg.tidy(() => {
      const r = c.run();
      if (r instanceof wg.Tensor) wg.keep(r);
      return r;
    });
  } catch (e) {
    return { outcome: isGood(e, c.op) ? 'GOOD' : 'WEAK', detail: String(e) };
  }
  try {
    if (result instanceof Promise) {
      await result;
      return { outcome: 'SILENT', detail: 'the promise resolved' };
    }
    if (result instanceof wg.Tensor) {
      try {
        await result.data();
      } finally {
        result.dispose();
      }
    }
    return { outcome: 'SILENT', detail: `returned ${String(result)}` };
  } catch (e) {
    if (result instanceof Promise) return { outcome: isGood(e, c.op) ? 'GOOD' : 'WEAK', detail: String(e) };
    return { outcome: 'LATE', detail: String(e) };
  }
}

const counts: Record<string, Record<Outcome, number>> = {};

afterAll(() => {
  const lines = Object.entries(counts).map(([k, c]) => `${k}: ${c.GOOD} GOOD / ${c.WEAK} WEAK / ${c.LATE} LATE / ${c.SILENT} SILENT`);
  console.log(`malformed calls by backend and family:\n${lines.join('\n')}`);
});

describe.each(['cpu', 'webgpu'] as const)('malformed calls on %s', (backend) => {
  test.each(Object.keys(FAMILIES))('every malformed %s call is a WebgradError naming the op, at the call', async (family) => {
    await useBackend(backend);
    const liveBefore = wg.memory().liveTensors;
    const calls = fc.sample(FAMILIES[family], { seed: 9, numRuns: CALLS_PER_FAMILY });
    const tally: Record<Outcome, number> = { GOOD: 0, WEAK: 0, LATE: 0, SILENT: 0 };
    const bad: string[] = [];
    for (const c of calls) {
      const { outcome, detail } = await classify(c);
      tally[outcome]++;
      if (outcome !== 'GOOD') bad.push(`${outcome} ${c.op}: ${c.run.toString().slice(0, 120)} → ${detail.slice(0, 200)}`);
    }
    counts[`${backend} ${family}`] = tally;
    expect([...new Set(bad)]).toEqual([]);
    expect(wg.memory().liveTensors).toBe(liveBefore);
    await new Promise((r) => setTimeout(r, 10));
    expectNoGpuErrors();
  });

  test('after the fuzz a normal computation is still right', async () => {
    await useBackend(backend);
    const y = wg.tensor([[1, 2], [3, 4]]).matmul(wg.tensor([[1], [1]])).relu().sum();
    expect(await y.item()).toBe(10);
  });
});
