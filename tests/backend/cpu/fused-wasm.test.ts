// The CPU backend's fused kernels as WebAssembly SIMD (src/backend/cpu/wasm/fused-*.ts) against the
// generated JavaScript loops they stand for: the same bits (NaN, -0, infinities included) for every
// row taken, on odd lengths, broadcasts, scalars, concatenated inputs and several outputs; reduces
// over leading axes the same bits, over trailing axes within float32 rounding.

import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { generateJs } from '../../../src/backend/cpu/codegen';
import { usePlainKernels } from '../../../src/backend/cpu/fast-kernels';
import { CpuBackend } from '../../../src/backend/cpu/cpu-backend';
import { wasmLoop, WASM_MIN_ELEMENTS } from '../../../src/backend/cpu/wasm/fused-runner';
import { fusedWasm } from '../../../src/backend/cpu/wasm/fused-wasm';
import { Code, emitModule, Simd, ValType } from '../../../src/backend/cpu/wasm/wasm-emitter';
import type { TypedArray } from '../../../src/dtype';
import type { LazyNode } from '../../../src/graph/ir';
import { runtimeScalar } from '../../../src/graph/scalars';
import { schedule, type FusedKernel } from '../../../src/graph/schedule';
import { activeBackend } from '../../../src/runtime';
import { sizeOf } from '../../../src/shape';
import type { Tensor } from '../../../src/node';
import { expectClose, seeded, wg } from '../../helpers';

beforeAll(async () => {
  await wg.init({ backend: 'cpu' });
});
afterAll(() => usePlainKernels(false));

const SPECIAL = [0, -0, 1, -1, 0.5, -0.5, -2.5, 1.5, 1e-30, -1e30, 3e38, NaN, Infinity, -Infinity];

/** Seeded values in [-3, 3] with the special values spread through them. */
function values(n: number, seed: number): Float32Array {
  const v = Float32Array.from(seeded(n, seed, -3, 3));
  for (let i = seed % 5; i < n; i += 5) v[i] = SPECIAL[(i * 7 + seed) % SPECIAL.length];
  return v;
}

const input = (shape: number[], seed = 1): Tensor => wg.tensor(values(sizeOf(shape), seed), { shape });

function hostOf(n: LazyNode): TypedArray {
  if (n.op.kind !== 'buffer' || !n.op.storage.host) throw new Error('test: a kernel input is not a host buffer');
  return n.op.storage.host;
}

/** The one fused kernel of `roots`' schedule. */
function kernelOf(roots: readonly Tensor[]): FusedKernel {
  const kernels = schedule(roots.map((r) => r.node), { maxBuffers: Infinity });
  expect(kernels).toHaveLength(1);
  const k = kernels[0];
  if (k.kind !== 'fused') throw new Error(`test: the schedule made a ${k.kind} kernel`);
  return k;
}

/** The outputs of `roots`' fused kernel by its JS loop and by its wasm function (which must exist and validate). */
function bothOutputs(roots: readonly Tensor[]): { js: number[][]; wasm: number[][] } {
  const k = kernelOf(roots);
  const ins = k.inputs.map(hostOf);
  const gen = generateJs(k, k.inputs);
  const w = fusedWasm(k, k.inputs);
  if (!w) throw new Error('test: the wasm generator does not take the kernel');
  expect(WebAssembly.validate(w.bytes)).toBe(true);
  const loop = wasmLoop(w);
  const outs = () => k.outputs.map((o) => (o.dtype === 'bool' ? new Uint8Array(sizeOf(o.shape)) : new Float32Array(sizeOf(o.shape))));
  const js = outs();
  gen.run(ins, js, gen.scalars.map((n) => runtimeScalar(n)!));
  const wasm = outs();
  expect(loop.run(ins, wasm, w.scalars.map((n) => runtimeScalar(n)!))).toBe(true);
  return { js: js.map((a) => Array.from(a)), wasm: wasm.map((a) => Array.from(a)) };
}

/** toEqual tells -0 from 0 and takes NaN as equal to NaN: bit-identical up to NaN payloads. */
function expectSameBits(roots: readonly Tensor[]): void {
  const { js, wasm } = bothOutputs(roots);
  expect(wasm).toEqual(js);
}

describe('wasm emitter', () => {
  test('a module of one SIMD function validates and adds four lanes at once', () => {
    const code = new Code(0);
    code.i32(32).i32(0).v128Load(0).i32(0).v128Load(16).simd(Simd.f32x4Add).v128Store(0);
    const bytes = emitModule([{ name: 'run', params: [], results: [], code }], 1);
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const f = new Float32Array(memory.buffer);
    f.set([1, 2, 3, 4, 0.5, 0.25, -3, 1e30]);
    const run = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.run as () => void;
    run();
    expect(Array.from(f.subarray(8, 12))).toEqual([1.5, 2.25, 0, Math.fround(1e30)]);
  });

  test('locals of several types and a parameter validate', () => {
    const code = new Code(1);
    const a = code.local(ValType.f32);
    const b = code.local(ValType.v128);
    const c = code.local(ValType.v128);
    code.get(0).f32Load(0).set(a).f32x4Const(2).set(b).get(b).set(c);
    expect(WebAssembly.validate(emitModule([{ name: 'f', params: [ValType.i32], results: [], code }], 1))).toBe(true);
  });
});

describe('fused elementwise kernels in wasm', () => {
  const unary: [string, (x: Tensor) => Tensor][] = [
    ['neg', (x) => x.neg()],
    ['abs', (x) => x.abs()],
    ['sign', (x) => x.sign()],
    ['sqrt', (x) => x.sqrt()],
    ['rsqrt', (x) => x.rsqrt()],
    ['floor', (x) => x.floor()],
    ['ceil', (x) => x.ceil()],
    ['round', (x) => x.round()],
    ['square', (x) => x.square()],
    ['reciprocal', (x) => x.reciprocal()],
    ['relu', (x) => x.relu()],
    ['step', (x) => x.step()],
  ];
  for (const [name, f] of unary) {
    test(`${name} gives the JS loop's bits on 1027 elements (a scalar tail of 3)`, () => {
      expectSameBits([f(input([1027]))]);
    });
  }

  const binary: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ['add', (a, b) => a.add(b)],
    ['sub', (a, b) => a.sub(b)],
    ['mul', (a, b) => a.mul(b)],
    ['div', (a, b) => a.div(b)],
    ['maximum', (a, b) => a.maximum(b)],
    ['minimum', (a, b) => a.minimum(b)],
  ];
  for (const [name, f] of binary) {
    test(`${name} gives the JS loop's bits, NaN and signed zeros included`, () => {
      expectSameBits([f(input([1029], 1), input([1029], 2))]);
    });
  }

  const comparisons: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ['equal', (a, b) => a.equal(b)],
    ['notEqual', (a, b) => a.notEqual(b)],
    ['greater', (a, b) => a.greater(b)],
    ['greaterEqual', (a, b) => a.greaterEqual(b)],
    ['less', (a, b) => a.less(b)],
    ['lessEqual', (a, b) => a.lessEqual(b)],
  ];
  for (const [name, f] of comparisons) {
    test(`${name} as a where's condition and cast to float32 gives the JS loop's bits`, () => {
      const a = input([1030], 3);
      const b = input([1030], 4);
      // Equal values are frequent in the special values, so equality is exercised too.
      expectSameBits([wg.where(f(a, b), a, b.mul(2)).add(f(a, b).cast('float32'))]);
    });
  }

  test('bool masks compare, combine and cast back: equal of two comparisons, a float cast to bool', () => {
    const a = input([1031], 5);
    const b = input([1031], 6);
    expectSameBits([wg.where(a.greater(b).equal(b.less(a.mul(0.5))), a.cast('bool').cast('float32'), a.add(b))]);
  });

  test('a bool input reads as a mask and a bool output is written as bytes', () => {
    const mask = wg.tensor(Uint8Array.from(values(1035, 25), (v) => (v > 0 ? 1 : 0)), { shape: [1035], dtype: 'bool' });
    const x = input([1035], 26);
    expectSameBits([wg.where(mask, x, x.neg())]);
    expectSameBits([x.greater(0.5).equal(mask)]);
  });

  test('runtime scalars and compile-time constants (NaN, infinity) read as splatted lanes', () => {
    const x = input([1033], 7);
    expectSameBits([x.mul(2.5).add(-1).maximum(NaN).minimum(Infinity).div(3)]);
  });

  test('a row broadcast, a column broadcast and a one-element tensor read by rows of 37 (tails of 1)', () => {
    const x = input([33, 37], 8);
    expectSameBits([x.add(input([37], 9)).mul(input([33, 1], 10)).sub(input([1], 11)).relu()]);
  });

  test('rows split after the first axis: trailing axes broadcast over it, a per-row value over them', () => {
    const x = input([4, 5, 63], 12);
    expectSameBits([x.mul(input([5, 63], 13).add(1)).add(input([4, 1, 1], 24))]);
  });

  test('a concat of reshaped and padded inputs reads as one region, zero where padded', () => {
    const a = input([40, 26], 14);
    const b = input([7], 15);
    const c = input([3, 5], 16);
    const g = input([1069], 17);
    expectSameBits([wg.concat([a.reshape([-1]), b, wg.pad(c.reshape([-1]), [[2, 5]])], 0).mul(g.add(1))]);
  });

  test('a slice of a concat reads the overlapping ranges of its sources', () => {
    const a = input([600], 18);
    const b = input([700], 19);
    expectSameBits([wg.concat([a, b], 0).slice([100], [1100]).square()]);
  });

  test('several outputs of one kernel are each written (an optimizer-style update)', () => {
    const p = wg.tensor(values(2051, 20), { shape: [2051] });
    const m = wg.tensor(values(2051, 21), { shape: [2051] });
    const g = input([2051], 22);
    const m2 = m.mul(0.9).add(g.mul(0.1));
    p.assign(p.sub(m2.mul(0.01)));
    m.assign(m2);
    const k = kernelOf([p, m]);
    expect(k.outputs.length).toBe(2);
    expectSameBits([p, m]);
  });

  test('rows without an exact f32 SIMD form, int32 values and transposed reads stay in JavaScript', () => {
    const x = input([32, 32], 23);
    for (const t of [x.exp(), x.cast('int32').add(1), x.add(x.transpose())]) {
      const k = kernelOf([t]);
      expect(fusedWasm(k, k.inputs)).toBeNull();
    }
  });
});

/** Finite values only: a sum over a NaN or an infinity is that in any order. */
const finite = (shape: number[], seed: number): Tensor => wg.tensor(Float32Array.from(seeded(sizeOf(shape), seed, -3, 3)), { shape });

describe('fused reduces in wasm', () => {
  test('a sum over the leading axis (a bias gradient) adds each column in the JS order: the same bits', () => {
    expectSameBits([finite([129, 70], 50).mul(finite([129, 70], 51)).sum(0)]);
  });

  test('a sum over two leading axes of a broadcast product, then a mean scale, gives the same bits', () => {
    expectSameBits([finite([6, 5, 43], 52).mul(finite([43], 53)).sum([0, 1]).div(30)]);
  });

  test('max and min over the leading axis pick what the JS loop picks, NaN and signed zeros included', () => {
    for (const f of [(x: Tensor) => x.max(0), (x: Tensor) => x.min(0)]) expectSameBits([f(input([97, 66], 54))]);
  });

  test('a sum over the last axis (row sums in float64 lanes) agrees with the JS loop within float32 rounding', () => {
    const { js, wasm } = bothOutputs([finite([67, 301], 55).square().sum(1)]);
    expectClose(wasm[0], js[0], { rtol: 1e-6, atol: 1e-6 });
  });

  test('a sum of every element (the mean of a loss) agrees with the JS loop', () => {
    const { js, wasm } = bothOutputs([finite([1027], 56).sub(0.5).abs().mean()]);
    expectClose(wasm[0], js[0], { rtol: 1e-6, atol: 1e-6 });
  });

  test('max and min over the last axes keep NaN and equal the JS loop up to the sign of zero', () => {
    for (const f of [(x: Tensor) => x.max([1, 2]), (x: Tensor) => x.min(-1)]) {
      const { js, wasm } = bothOutputs([f(input([19, 3, 45], 57))]);
      expectClose(wasm[0], js[0], { rtol: 0, atol: 0 });
    }
  });

  test('a reduce over a middle axis, a product and an argmax stay in JavaScript', () => {
    const x = input([8, 9, 10], 58);
    for (const t of [x.sum(1), x.prod(0), x.argmax(0)]) {
      const k = kernelOf([t]);
      expect(fusedWasm(k, k.inputs)).toBeNull();
    }
  });
});

describe('compiling the wasm kernels', () => {
  /** `w`'s loop made while `new WebAssembly.Module` throws `error`, and a run's arguments. */
  function loopWhileModuleThrows(error: Error) {
    const x = input([300], 60);
    const k = kernelOf([x.mul(2)]);
    const w = fusedWasm(k, k.inputs)!;
    const real = WebAssembly.Module;
    Object.defineProperty(WebAssembly, 'Module', { value: function refused() { throw error; }, configurable: true, writable: true });
    try {
      return { loop: wasmLoop(w), ins: k.inputs.map(hostOf), out: new Float32Array(300), scalars: w.scalars.map((n) => runtimeScalar(n)!) };
    } finally {
      Object.defineProperty(WebAssembly, 'Module', { value: real, configurable: true, writable: true });
    }
  }

  test('a module too large to compile synchronously runs once its background compile is done', async () => {
    const { loop, ins, out, scalars } = loopWhileModuleThrows(new RangeError('WebAssembly.Module is disallowed on the main thread'));
    expect(loop.run(ins, [out], scalars)).toBe(false);
    await vi.waitFor(() => expect(loop.run(ins, [out], scalars)).toBe(true));
    expect(Array.from(out)).toEqual(Array.from(ins[0]).map((v) => Math.fround(v * 2)));
  });

  test('a page that forbids compiling WebAssembly keeps the JS loop', () => {
    const { loop, ins, out, scalars } = loopWhileModuleThrows(new WebAssembly.CompileError("Refused to compile: 'wasm-unsafe-eval' is not allowed"));
    expect(loop.run(ins, [out], scalars)).toBe(false);
  });
});

function cpuBackend(): CpuBackend {
  const backend = activeBackend();
  if (!(backend instanceof CpuBackend)) throw new Error('test: the CPU backend is not active');
  return backend;
}

describe('the CPU backend with the wasm kernels on and forced plain', () => {
  /** `run`'s results with usePlainKernels(true) (the JS loops) and (false) (wasm where it takes the kernel). */
  async function plainAndFast(run: () => Promise<number[][]>): Promise<[number[][], number[][]]> {
    usePlainKernels(true);
    const plain = await run();
    usePlainKernels(false);
    return [plain, await run()];
  }

  test('a plan carries the wasm form of a kernel of WASM_MIN_ELEMENTS elements or more, not of a smaller one', async () => {
    const backend = cpuBackend();
    const wasmForms = async (n: number) => {
      await input([n], 40).mul(3).add(1).data();
      return backend.plans.last!.kernels.map((k) => k.kind === 'fused' && k.loop.wasm !== null);
    };
    expect(await wasmForms(WASM_MIN_ELEMENTS)).toEqual([true]);
    expect(await wasmForms(WASM_MIN_ELEMENTS - 1)).toEqual([false]);
  });

  test("a reduce's plan counts its source's elements: a column sum of 64 × 8 values has its wasm form", async () => {
    const backend = cpuBackend();
    await input([64, 8], 41).sum(0).data();
    expect(backend.plans.last!.kernels.map((k) => k.kind === 'fused' && k.loop.wasm !== null)).toEqual([true]);
  });

  test('an in-place update through the backend writes the same bits either way', async () => {
    const [plain, fast] = await plainAndFast(async () => {
      const w = wg.tensor(values(4099, 30), { shape: [4099] });
      const g = input([4099], 31);
      for (let i = 0; i < 3; i++) w.assign(w.sub(g.mul(0.125)).maximum(-2));
      return [Array.from((await w.data()) as Float32Array)];
    });
    expect(fast).toEqual(plain);
  });

  // No matmul: usePlainKernels also makes it the plain kernel, which sums in another order.
  test("Adam's fused update of two parameters (one concatenated kernel) gives the same bits either way", async () => {
    const [plain, fast] = await plainAndFast(async () => {
      const params = [wg.tensor(Float32Array.from(seeded(64 * 48, 32)), { shape: [64, 48], requiresGrad: true }), wg.tensor(Float32Array.from(seeded(48, 33)), { shape: [48], requiresGrad: true })];
      const opt = new wg.optim.Adam(params, { lr: 0.01 });
      const x = wg.tensor(Float32Array.from(seeded(64 * 48, 34)), { shape: [64, 48] });
      for (let i = 0; i < 3; i++) {
        opt.zeroGrad();
        x.mul(params[0]).add(params[1]).relu().square().mean().backward();
        opt.step();
      }
      return Promise.all(params.map(async (p) => Array.from((await p.data()) as Float32Array)));
    });
    expect(fast).toEqual(plain);
  });
});
