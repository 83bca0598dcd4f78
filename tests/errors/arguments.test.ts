// Targeted checks of the argument rules behind the fuzz suite: sizes a kernel cannot index,
// options objects (kind, range, unknown keys), arguments that are not arrays, ops built from
// others speaking in their own terms, messages naming the call the user made, and the
// PyTorch semantics chosen for ambiguous reshapes, bool subtraction and repeated backward.

import { beforeAll, describe, expect, test } from 'vitest';
import { checkBoth, initBoth, useBackend, wg } from '../helpers';
import type { Tensor } from '../../src/node';

beforeAll(initBoth);

/** Asserts `fn` throws `cls` at the call, whose message starts with `op:` and matches `pattern`. */
function expectRefusal(fn: () => unknown, cls: new (...a: never[]) => Error, op: string, pattern?: RegExp): void {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `${op}: expected a throw`).toBeInstanceOf(cls);
  const message = (caught as Error).message;
  expect(message.startsWith(`${op}:`), message).toBe(true);
  if (pattern) expect(message).toMatch(pattern);
}

const m23 = () => wg.zeros([2, 3]);

describe('sizes beyond what kernels index are refused at the call', () => {
  test('creation, broadcasting and padding past 2^31 − 1 elements are an ArgumentError naming the op', () => {
    expectRefusal(() => wg.ones([65536, 65536, 4]), wg.ArgumentError, 'ones', /17179869184 elements/);
    expectRefusal(() => wg.full([2 ** 31, 4], 1), wg.ArgumentError, 'full');
    expectRefusal(() => wg.zeros([65536, 1]).add(wg.zeros([65536])), wg.ArgumentError, 'add');
    expectRefusal(() => wg.ones([2, 2]).pad([[1e6, 0], [1e6, 0]]), wg.ArgumentError, 'pad');
    expectRefusal(() => wg.zeros([65536, 1]).broadcastTo([65536, 65536]), wg.ArgumentError, 'broadcastTo');
    expectRefusal(() => wg.oneHot(wg.zeros([65536], { dtype: 'int32' }), 65536), wg.ArgumentError, 'oneHot');
  });

  test('a lazy tensor within the count limit is fine until it is materialized', async () => {
    expect(await wg.ones([2, 2]).pad([[1e6, 0], [0, 0]]).sum().item()).toBe(4);
  });
});

describe('options objects', () => {
  test('unknown keys name the key and the accepted ones', () => {
    expectRefusal(() => wg.zeros([2], { dtyp: 'int32' } as never), wg.ArgumentError, 'zeros', /unknown option 'dtyp' \(accepted: dtype, requiresGrad\)/);
    expectRefusal(() => wg.conv2dTranspose(wg.zeros([1, 4, 4, 2]), wg.zeros([3, 3, 2, 2]), { groups: 2 } as never), wg.ArgumentError, 'conv2dTranspose', /unknown option 'groups'.*stride, padding, outputPadding, dilation, bias/);
    expectRefusal(() => wg.maxPool2d(wg.zeros([1, 4, 4, 1]), { kernelSize: 2, strides: 2 } as never), wg.ArgumentError, 'maxPool2d', /'strides'/);
    expectRefusal(() => m23().gelu({ approx: 'tanh' } as never), wg.ArgumentError, 'gelu', /'approx'/);
  });

  test('a string or number where an options object belongs is an error, not a default', () => {
    expectRefusal(() => wg.conv2d(wg.zeros([1, 4, 4, 1]), wg.zeros([3, 3, 1, 1]), 'same' as never), wg.ArgumentError, 'conv2d', /expected options/);
    expectRefusal(() => m23().gelu('tanh' as never), wg.ArgumentError, 'gelu', /expected options/);
    expectRefusal(() => wg.tensor([1], 'int32' as never), wg.ArgumentError, 'tensor');
  });

  test('values of the wrong kind name the key and what it takes', () => {
    expectRefusal(() => m23().gelu({ approximate: 'fast' as never }), wg.ArgumentError, 'gelu', /approximate must be one of 'none', 'tanh'/);
    expectRefusal(() => wg.zeros([2], { requiresGrad: 'yes' as never }), wg.ArgumentError, 'zeros', /requiresGrad must be a boolean/);
    expectRefusal(() => wg.avgPool2d(wg.zeros([1, 4, 4, 1]), { kernelSize: 2, countIncludePad: 1 as never }), wg.ArgumentError, 'avgPool2d', /countIncludePad/);
    expectRefusal(() => wg.conv2d(wg.zeros([1, 4, 4, 1]), wg.zeros([3, 3, 1, 1]), { bias: [1] as never }), wg.ArgumentError, 'conv2d', /bias must be a tensor/);
  });

  test("gelu({ approximate: 'tanh' }) computes the tanh approximation", async () => {
    const x = [-2, -0.5, 0.5, 2];
    const tanhGelu = x.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
    await checkBoth(() => wg.tensor(x).gelu({ approximate: 'tanh' }), tanhGelu, { rtol: 1e-5 });
  });

  test('keepDims must be a boolean', () => {
    expectRefusal(() => m23().sum(0, 'false' as never), wg.ArgumentError, 'sum', /keepDims must be a boolean/);
    expectRefusal(() => m23().argmax(0, 1 as never), wg.ArgumentError, 'argmax');
  });

  test('random ops refuse dtypes they do not draw: rand and randn float32, randint int32 or float32', () => {
    expectRefusal(() => wg.rand([2], { dtype: 'int32' }), wg.DTypeError, 'rand', /float32/);
    expectRefusal(() => wg.randn([2], { dtype: 'bool' }), wg.DTypeError, 'randn');
    expectRefusal(() => wg.randint(0, 3, [2], { dtype: 'bool' }), wg.DTypeError, 'randint');
    expect(wg.rand([2], { seed: 1, dtype: 'float32' }).dtype).toBe('float32');
  });

  test('int32 values that do not fit are refused instead of wrapping', () => {
    expectRefusal(() => wg.tensor([3e9], { dtype: 'int32' }), wg.ArgumentError, 'tensor', /3000000000.*int32/);
    expectRefusal(() => wg.tensor(new Float32Array([1, NaN]), { dtype: 'int32' }), wg.ArgumentError, 'tensor', /NaN/);
    expectRefusal(() => wg.full([2], -3e9, { dtype: 'int32' }), wg.ArgumentError, 'full');
  });
});

describe('arguments that are not arrays or numbers', () => {
  test('an ArgumentError naming the op and the argument, never a TypeError', () => {
    expectRefusal(() => m23().slice(null as never, [1, 1]), wg.ArgumentError, 'slice', /begin null/);
    expectRefusal(() => m23().transpose(1 as never), wg.ArgumentError, 'transpose', /perm/);
    expectRefusal(() => m23().sum({} as never), wg.ArgumentError, 'sum', /axis/);
    expectRefusal(() => m23().mean(null as never), wg.ArgumentError, 'mean', /axis.*null/);
    expectRefusal(() => m23().squeeze('0' as never), wg.ArgumentError, 'squeeze', /axis/);
    expectRefusal(() => m23().argmax([0] as never), wg.ArgumentError, 'argmax', /axis/);
    expectRefusal(() => wg.tensor(null as never), wg.ArgumentError, 'tensor');
  });
});

describe('ops built from others check their own arguments in their own terms', () => {
  test('conv1d names its own shapes, never conv2d or squeeze', () => {
    expectRefusal(() => wg.conv1d(wg.zeros([1, 8, 2]), wg.zeros([3, 3, 2])), wg.ShapeError, 'conv1d', /w \[3,3,2\].*x \[1,8,2\]/);
    expectRefusal(() => wg.conv1d(wg.zeros([1, 8, 2]), wg.zeros([3, 2, 2]), { padding: [1, 1] as never }), wg.ArgumentError, 'conv1d', /padding/);
    expectRefusal(() => wg.conv1d(wg.zeros([1, 8, 2]), wg.zeros([3, 2, 2]), { padding: [0, 1] as never }), wg.ArgumentError, 'conv1d');
    expectRefusal(() => wg.conv1d(wg.zeros([1, 2, 2]), wg.zeros([3, 2, 2])), wg.ShapeError, 'conv1d', /along length/);
    expectRefusal(() => wg.conv1d(wg.zeros([1, 8, 2]), wg.zeros([3, 2, 4]), { bias: wg.zeros([3]) }), wg.ShapeError, 'conv1d', /bias/);
  });

  test('a rejected conv1d leaves no live tensors behind', () => {
    const x = wg.zeros([1, 8, 2]);
    const w = wg.zeros([3, 3, 2]);
    const before = wg.memory().liveTensors;
    for (let i = 0; i < 5; i++) expect(() => wg.conv1d(x, w)).toThrow(wg.ShapeError);
    expect(wg.memory().liveTensors).toBe(before);
  });

  test('conv1d with numeric padding pads the length only, as the conv2d of height 1 it runs', async () => {
    const x = [1, 2, 3, 4];
    // w [3, 1, 1] = [1, 1, 1], padding 1: sums of each window of three with zeros at the ends.
    await checkBoth(() => wg.conv1d(wg.tensor(x, { shape: [1, 4, 1] }), wg.ones([3, 1, 1]), { padding: 1 }), [3, 6, 9, 7]);
  });

  test('stack checks dtypes itself', () => {
    expectRefusal(() => wg.stack([wg.zeros([1]), wg.zeros([1], { dtype: 'int32' })]), wg.DTypeError, 'stack');
  });
});

describe('messages name the call the user made', () => {
  const gone = (): Tensor => {
    const t = wg.ones([2]);
    t.dispose();
    return t;
  };

  test('zeros, ones, zerosLike and onesLike speak for themselves, not for full', () => {
    expectRefusal(() => wg.zeros([-1]), wg.ShapeError, 'zeros');
    expectRefusal(() => wg.ones([1.5]), wg.ShapeError, 'ones');
    expectRefusal(() => wg.zerosLike(m23(), { dtype: 'x' as never }), wg.DTypeError, 'zerosLike');
    expectRefusal(() => wg.onesLike(gone()), wg.DisposedError, 'onesLike');
    expectRefusal(() => wg.zeros([1], { dtype: 'int32', requiresGrad: true }), wg.DTypeError, 'zeros', /requiresGrad/);
  });

  test('clip of a disposed tensor says clip; valueAndGrad says valueAndGrad', () => {
    expectRefusal(() => gone().clip(0, 1), wg.DisposedError, 'clip');
    expectRefusal(() => wg.valueAndGrad((x: Tensor) => x)(wg.ones([3])), wg.ShapeError, 'valueAndGrad');
    expectRefusal(() => wg.valueAndGrad((x: Tensor) => x.sum())(gone()), wg.DisposedError, 'valueAndGrad');
  });

  test('array(), item() and print() on a disposed tensor name themselves', async () => {
    for (const op of ['array', 'item', 'print', 'data'] as const) {
      const t = gone();
      await expect(t[op]()).rejects.toThrow(new RegExp(`^${op}: `));
    }
  });
});

describe('semantics chosen as PyTorch', () => {
  test('reshape with -1 next to a size 0 is ambiguous', () => {
    expectRefusal(() => wg.zeros([0, 3]).reshape([-1, 0]), wg.ShapeError, 'reshape', /ambiguous/);
    expect(wg.zeros([0, 3]).reshape([3, -1]).shape).toEqual([3, 0]);
  });

  test('subtracting two bool tensors and negating a bool tensor are DTypeErrors', () => {
    expectRefusal(() => wg.tensor([true]).sub(wg.tensor([false])), wg.DTypeError, 'sub', /bool/);
    expectRefusal(() => wg.sub(wg.tensor([true]), wg.tensor([true])), wg.DTypeError, 'sub');
    expectRefusal(() => wg.tensor([true]).neg(), wg.DTypeError, 'neg');
  });

  test('bool − int32 still promotes, as PyTorch', async () => {
    await checkBoth(() => wg.tensor([true, false]).sub(wg.tensor([1, 1], { dtype: 'int32' })), [0, -1]);
  });

  test('requiresGrad_ on a disposed tensor fails at the call', () => {
    const t = wg.ones([2]);
    t.dispose();
    expectRefusal(() => t.requiresGrad_(), wg.DisposedError, 'requiresGrad_');
  });

  test('a second backward through the same lazy graph adds the gradients again (retain_graph)', async () => {
    for (const backend of ['cpu', 'webgpu'] as const) {
      await useBackend(backend);
      const x = wg.tensor([1, 2, 3], { requiresGrad: true });
      const loss = x.square().sum();
      loss.backward();
      loss.backward();
      expect(Array.from(await x.grad!.data())).toEqual([4, 8, 12]);
    }
  });

  test('backward through a graph whose inputs were disposed is a DisposedError', () => {
    const x = wg.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(2);
    const loss = y.sum();
    y.dispose();
    expectRefusal(() => loss.backward(), wg.DisposedError, 'backward');
  });

  test('init refuses unknown option keys and options that are not an object', async () => {
    await expect(wg.init({ backend: 'cpu', adaptor: 1 } as unknown as wg.InitOptions)).rejects.toThrow(/init: unknown option 'adaptor' \(accepted: backend, gpu, device, calibration\)/);
    await expect(wg.init('cpu' as unknown as wg.InitOptions)).rejects.toThrow(wg.ArgumentError);
    await expect(wg.init({ calibration: 'now' } as unknown as wg.InitOptions)).rejects.toThrow(/init: calibration must be 'background' or 'off', got "now"/);
    await useBackend('webgpu');
  });
});
