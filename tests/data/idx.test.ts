// parseIdx: every IDX element type at any rank, raw and gzip, against files the test writes from
// the format description; malformed files are ArgumentErrors saying what and where.

import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend, wg } from '../helpers';
import { idxFile, IDX_TYPES, type IdxTypeName } from './idx-files';

const ranges: Record<IdxTypeName, [number, number, boolean]> = {
  ubyte: [0, 255, true], sbyte: [-128, 127, true], short: [-32768, 32767, true],
  int: [-(2 ** 31), 2 ** 31 - 1, true], float: [-1e6, 1e6, false], double: [-1e6, 1e6, false],
};

describe('parseIdx', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('reads every element type at ranks 0 to 4, raw and gzip, into int32 or float32', async () => {
    const spec = fc.constantFrom(...(Object.keys(IDX_TYPES) as IdxTypeName[])).chain((type) =>
      fc.record({
        type: fc.constant(type),
        shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
        gzip: fc.boolean(),
        values: fc.array(ranges[type][2] ? fc.integer({ min: ranges[type][0], max: ranges[type][1] }) : fc.float({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 256, maxLength: 256 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(spec, async ({ type, shape, gzip, values }) => {
        const n = shape.reduce((p, d) => p * d, 1);
        const file = idxFile(type, shape, values.slice(0, n));
        const t = await wg.data.parseIdx(gzip ? new Uint8Array(gzipSync(file)) : file);
        expect(t.shape).toEqual(shape);
        expect(t.dtype).toBe(type === 'float' || type === 'double' ? 'float32' : 'int32');
        const expected = values.slice(0, n).map((v) => (t.dtype === 'float32' ? Math.fround(v) : v));
        expect(Array.from(await t.data())).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('accepts an ArrayBuffer', async () => {
    const file = idxFile('ubyte', [2], [3, 250]);
    expect(await (await wg.data.parseIdx(file.buffer as ArrayBuffer)).array()).toEqual([3, 250]);
  });

  const good = () => idxFile('short', [2, 3], [1, 2, 3, 4, 5, 6]);
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['a file shorter than the magic number', () => new Uint8Array([0, 0, 8]), /too short for the 4-byte magic/],
    ['a wrong magic number', () => { const b = good(); b[1] = 8; return b; }, /wrong magic number: bytes 0-1 are 0, 8/],
    ['an unknown type code', () => { const b = good(); b[2] = 0x0a; return b; }, /unknown type code 0x0a at byte 2/],
    ['a header cut short', () => good().subarray(0, 9), /declares 2 dimensions \(12 header bytes\) but the file has 9/],
    ['a truncated body', () => good().subarray(0, 20), /truncated body: shape \[2,3\] of short needs 12 bytes from byte 12, the file has 8/],
    ['a header whose sizes are smaller than the body', () => new Uint8Array([...good(), 0, 0]), /sizes disagree.*2 extra/],
    ['a gzip stream cut short', () => new Uint8Array(gzipSync(good())).subarray(0, 15), /gzip data \(15 bytes\) is corrupt or truncated/],
  ];
  it.each(cases)('rejects %s with an ArgumentError', async (_, make, message) => {
    const err = await wg.data.parseIdx(make()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(wg.ArgumentError);
    expect((err as Error).message).toMatch(message);
  });
});
