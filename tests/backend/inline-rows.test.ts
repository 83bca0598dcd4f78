// The CPU code generator's inline expressions against the elementwise table's `cpu` functions
// they stand for: the same number (NaN, -0 and infinities included) for every dtype.

import { describe, expect, test } from 'vitest';
import { INLINE_ROWS } from '../../src/backend/cpu/inline-rows';
import type { DType } from '../../src/dtype';
import type { ElementwiseDef } from '../../src/graph/ir';
import { BINARY, UNARY, WHERE } from '../../src/ops/elementwise-table';

const TABLE = new Map<string, ElementwiseDef>([...Object.values(UNARY), ...Object.values(BINARY), WHERE].map((d) => [d.name, d]));

const SAMPLES: Record<DType, number[]> = {
  float32: [0, -0, 1, -1, 0.5, -2.5, 3.75, 1e-30, -1e30, 3e9, -3e9, 2147483647, NaN, Infinity, -Infinity],
  int32: [0, 1, -1, 7, -13, 65536, 2147483647, -2147483648],
  bool: [0, 1],
};

/** Every tuple of `arity` samples of `dtype` (a product, kept small by the sample sizes). */
function tuples(arity: number, dtype: DType): number[][] {
  let out: number[][] = [[]];
  for (let k = 0; k < arity; k++) out = out.flatMap((t) => SAMPLES[dtype].map((v) => [...t, v]));
  return out;
}

describe('inline elementwise rows', () => {
  test('every inline row names a row of the table', () => {
    for (const name of INLINE_ROWS.keys()) expect(TABLE.has(name), name).toBe(true);
  });

  for (const [name, inline] of INLINE_ROWS) {
    test(`${name} computes what its table row computes for float32, int32 and bool`, () => {
      const def = TABLE.get(name)!;
      for (const dtype of ['float32', 'int32', 'bool'] as const) {
        for (const out of ['float32', 'int32', 'bool'] as const) {
          const ins = name === 'where' ? (['bool', dtype, dtype] as DType[]) : new Array<DType>(def.arity).fill(dtype);
          const types = { in: ins, out, param: 0 };
          const names = ['a', 'b', 'c'].slice(0, def.arity);
          const fn = new Function(...names, `return ${inline(names, types)};`) as (...xs: number[]) => number;
          for (const args of tuples(def.arity, dtype)) {
            if (name === 'where') args[0] = args[0] ? 1 : 0;
            const want = def.cpu(args, types);
            const got = fn(...args);
            expect(Object.is(got, want), `${name}(${args.join(', ')}) as ${out}: got ${got}, want ${want}`).toBe(true);
          }
        }
      }
    });
  }
});
