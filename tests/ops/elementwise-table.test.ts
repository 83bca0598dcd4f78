// The elementwise table makes the API: every public row is a Tensor method and a `wg.` function
// of its name that compute the same thing, internal rows are neither, and a row's parameter
// default is the method's and the function's.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BINARY, UNARY } from '../../src/ops/elementwise-table';
import { checkBoth, expectClose, expectNoGpuErrors, initBoth, wg } from '../helpers';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

const rowsOf = (table: typeof UNARY | typeof BINARY) => Object.values(table) as { name: string; internal?: true }[];
const publicRows = [...rowsOf(UNARY), ...rowsOf(BINARY)].filter((r) => !r.internal).map((r) => r.name);
const internalRows = [...rowsOf(UNARY), ...rowsOf(BINARY)].filter((r) => r.internal).map((r) => r.name);
const functions = wg as unknown as Record<string, unknown>;
// WebGPU's transcendental functions are looser than the CPU's (tests/ops/elementwise.test.ts).
const TOL = { atol: 1e-3, rtol: 1e-3 };

describe('the elementwise table makes the methods and functions', () => {
  test('every public row is a Tensor method and a wg function', () => {
    const t = wg.tensor([1]) as unknown as Record<string, unknown>;
    expect(publicRows.length).toBe(36);
    expect(publicRows.filter((name) => typeof t[name] !== 'function')).toEqual([]);
    expect(publicRows.filter((name) => typeof functions[name] !== 'function')).toEqual([]);
  });

  test('internal rows are neither a method nor a wg function, but for the hand-written gelu and cast', () => {
    const proto = wg.Tensor.prototype as unknown as Record<string, unknown>;
    expect(internalRows.filter((name) => name in proto)).toEqual(['gelu', 'cast']);
    expect(internalRows.filter((name) => name in functions)).toEqual(['gelu', 'cast']);
  });

  test('methods are not enumerable, like methods of a class body', () => {
    expect(Object.keys(wg.Tensor.prototype)).toEqual([]);
  });

  test('a row method and its function compute the same values on both backends', async () => {
    const x = [-2, -0.5, 0, 0.75, 3];
    for (const name of publicRows) {
      const isBinary = name in BINARY;
      const viaMethod = await checkBoth(() => {
        const t = wg.tensor(x) as unknown as Record<string, (b?: unknown) => wg.Tensor>;
        return isBinary ? t[name](wg.tensor([1, 2, -1, 0.5, 3])) : t[name]();
      }, undefined, TOL);
      const viaFunction = await checkBoth(() => {
        const f = functions[name] as (a: unknown, b?: unknown) => wg.Tensor;
        return isBinary ? f(wg.tensor(x), wg.tensor([1, 2, -1, 0.5, 3])) : f(wg.tensor(x));
      }, undefined, TOL);
      expect(viaFunction.dtype, name).toBe(viaMethod.dtype);
      expectClose(viaFunction.data, viaMethod.data);
    }
  });

  test("the row's parameter default is the default of leakyRelu's and elu's alpha", async () => {
    const x = wg.tensor([-2, 1]);
    expectClose(await x.leakyRelu().data(), [-0.02, 1]);
    expectClose(await wg.leakyRelu(x).data(), [-0.02, 1]);
    expectClose(await x.elu().data(), [Math.expm1(-2), 1]);
    expectClose(await wg.elu(x, 0.5).data(), [0.5 * Math.expm1(-2), 1]);
  });
});
