// Every error class of API.md "Errors", each from a bad call: thrown at the call (not at
// realize), an instance of WebgradError, naming the op and what it got. DeviceLostError and
// OutOfMemoryError need a device of their own: tests/device-errors.test.ts.

import { beforeAll, describe, expect, test } from 'vitest';
import { expectNoGpuErrors, initBoth, wg } from './helpers';
import type { Tensor } from '../src/node';

beforeAll(initBoth);

/** Asserts `fn` throws `cls` synchronously with a message matching every pattern. */
function expectThrow(fn: () => unknown, cls: new (...a: never[]) => Error, ...patterns: RegExp[]): void {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a throw').toBeInstanceOf(cls);
  expect(caught).toBeInstanceOf(wg.WebgradError);
  const message = (caught as Error).message;
  for (const p of patterns) expect(message).toMatch(p);
}

const m23 = () => wg.zeros([2, 3]);

describe('ShapeError', () => {
  test('binary ops with shapes that do not broadcast', () => {
    expectThrow(() => m23().add(wg.zeros([4])), wg.ShapeError, /add/, /\[2,3\]/, /\[4\]/);
    expectThrow(() => wg.where(wg.tensor([true, false]), wg.zeros([3]), 0), wg.ShapeError, /where/);
  });

  test('reshape to a different size, or with two -1', () => {
    expectThrow(() => m23().reshape([4, 2]), wg.ShapeError, /reshape/, /\[2,3\]/, /\[4,2\]/);
    expectThrow(() => m23().reshape([-1, -1]), wg.ShapeError, /reshape/);
    expectThrow(() => m23().reshape([5, -1]), wg.ShapeError, /reshape/);
  });

  test('matmul with different inner dimensions or rank 1', () => {
    expectThrow(() => m23().matmul(wg.zeros([2, 3])), wg.ShapeError, /matmul/, /\[2,3\]/);
    expectThrow(() => wg.zeros([3]).matmul(wg.zeros([3, 1])), wg.ShapeError, /matmul/, /rank/);
    expectThrow(() => wg.zeros([2, 2, 3]).matmul(wg.zeros([3, 3, 1])), wg.ShapeError, /matmul/);
  });

  test('squeeze of an axis that is not 1, broadcastTo a smaller shape', () => {
    expectThrow(() => m23().squeeze(1), wg.ShapeError, /squeeze/, /\[2,3\]/);
    expectThrow(() => m23().broadcastTo([3]), wg.ShapeError, /broadcastTo/);
  });

  test('slice outside the tensor', () => {
    expectThrow(() => m23().slice([1, 1], [2, 1]), wg.ShapeError, /slice/, /\[2,3\]/);
    expectThrow(() => m23().slice([0, 4], [1, -1]), wg.ShapeError, /slice/);
  });

  test('concat and stack of mismatched shapes', () => {
    expectThrow(() => wg.concat([m23(), wg.zeros([2, 4])], 0), wg.ShapeError, /concat/, /\[2,4\]/);
    expectThrow(() => wg.stack([m23(), wg.zeros([3, 2])]), wg.ShapeError, /stack/);
  });

  test('tensor() from a ragged array or a typed array of the wrong length', () => {
    expectThrow(() => wg.tensor([[1, 2], [3]]), wg.ShapeError, /tensor/);
    expectThrow(() => wg.tensor(new Float32Array(5), { shape: [2, 3] }), wg.ShapeError, /tensor/, /\[2,3\]/);
    expectThrow(() => wg.zeros([2, -1]), wg.ShapeError);
  });

  test('item() of more than one element', async () => {
    await expect(m23().item()).rejects.toBeInstanceOf(wg.ShapeError);
  });
});

describe('DTypeError', () => {
  test('where with a non-bool condition', () => {
    expectThrow(() => wg.where(wg.zeros([2]), 1, 0), wg.DTypeError, /where/, /float32/);
  });

  test('gather and oneHot with float indices', () => {
    expectThrow(() => m23().gather(wg.tensor([0, 1])), wg.DTypeError, /gather/, /float32/);
    expectThrow(() => wg.oneHot(wg.tensor([0, 1]), 3), wg.DTypeError, /oneHot/);
  });

  test('matmul of int32', () => {
    expectThrow(() => wg.zeros([2, 2], { dtype: 'int32' }).matmul(wg.zeros([2, 2])), wg.DTypeError, /matmul/, /int32/);
  });

  test('argmax of bool', () => {
    expectThrow(() => wg.tensor([true, false]).argmax(), wg.DTypeError, /argmax/, /bool/);
  });

  test('concat of different dtypes', () => {
    expectThrow(() => wg.concat([wg.zeros([1]), wg.zeros([1], { dtype: 'int32' })]), wg.DTypeError, /concat/);
  });

  test('an unknown dtype', () => {
    expectThrow(() => wg.zeros([2]).cast('float64' as never), wg.DTypeError, /cast/, /float64/);
    expectThrow(() => wg.tensor([1], { dtype: 'uint8' as never }), wg.DTypeError, /tensor/);
  });

  test('requiresGrad on an integer tensor', () => {
    expectThrow(() => wg.tensor([1], { dtype: 'int32', requiresGrad: true }), wg.DTypeError, /int32/);
  });
});

describe('ArgumentError', () => {
  test('an axis out of range', () => {
    expectThrow(() => m23().sum(2), wg.ArgumentError, /sum/, /axis 2/);
    expectThrow(() => m23().softmax(-3), wg.ArgumentError, /softmax/);
    expectThrow(() => m23().argmax(5), wg.ArgumentError, /argmax/);
    expectThrow(() => m23().sum([0, 0]), wg.ArgumentError, /sum/, /repeated/);
  });

  test('a transpose that is not a permutation', () => {
    expectThrow(() => m23().transpose([0, 0]), wg.ArgumentError, /transpose/);
  });

  test('clip with min > max, pad with negative paddings', () => {
    expectThrow(() => m23().clip(1, 0), wg.ArgumentError, /clip/);
    expectThrow(() => m23().pad([[0, -1], [0, 0]]), wg.ArgumentError, /pad/);
    expectThrow(() => m23().pad([[0, 1]]), wg.ArgumentError, /pad/);
  });

  test('creation arguments out of range', () => {
    expectThrow(() => wg.arange(0, 5, 0), wg.ArgumentError, /arange/);
    expectThrow(() => wg.eye(-1), wg.ArgumentError, /eye/);
    expectThrow(() => wg.randint(3, 3, [2]), wg.ArgumentError, /randint/);
    expectThrow(() => wg.linspace(0, 1, 1.5), wg.ArgumentError, /linspace/);
    expectThrow(() => wg.oneHot(wg.tensor([0], { dtype: 'int32' }), 0), wg.ArgumentError, /oneHot/);
  });

  test('bad activation parameters and options', () => {
    expectThrow(() => m23().leakyRelu(NaN), wg.ArgumentError, /leakyRelu/);
    expectThrow(() => m23().gelu({ approximate: 'fast' as never }), wg.ArgumentError, /gelu/);
  });

  test('something that is not a tensor', () => {
    expectThrow(() => m23().add('1' as never), wg.ArgumentError, /add/);
    expectThrow(() => wg.realize({} as never), wg.ArgumentError, /realize/);
  });

  test('init with an unknown backend', async () => {
    await expect(wg.init({ backend: 'webgl' as never })).rejects.toBeInstanceOf(wg.ArgumentError);
    await expect(wg.setBackend('webgl' as never)).rejects.toBeInstanceOf(wg.ArgumentError);
    expect(wg.getBackend()).toBe('webgpu');
  });
});

describe('DisposedError', () => {
  test('using a disposed tensor in an op, a readback or realize', async () => {
    const x: Tensor = wg.tensor([1, 2, 3]);
    x.dispose();
    expectThrow(() => x.add(1), wg.DisposedError, /add/, /\[3\]/);
    expectThrow(() => wg.exp(x), wg.DisposedError, /exp/);
    expectThrow(() => x.reshape([3, 1]), wg.DisposedError, /reshape/);
    expectThrow(() => wg.realize(x), wg.DisposedError, /realize/);
    await expect(x.data()).rejects.toBeInstanceOf(wg.DisposedError);
  });

  test('dispose twice is harmless', () => {
    const x = wg.tensor([1]);
    x.dispose();
    expect(() => x.dispose()).not.toThrow();
  });

  test('a result computed from a tensor before its disposal stays usable', async () => {
    const x = wg.tensor([1, 2]);
    const y = x.add(1);
    wg.realize(y);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([2, 3]);
  });
});

describe('errors are thrown at the call, never as WebGPU errors', () => {
  test('no bad call above reached the device', () => {
    expectNoGpuErrors();
  });
});
