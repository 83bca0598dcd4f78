// safetensors: round trips over shapes and dtypes, files written byte by byte from the format
// description, the committed fixture (tests/io/fixtures/make-fixture.py), and every malformed case.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, initBoth, useBackend, wg } from '../helpers';

/** A file from its parts, as the format describes it: u64 LE length, JSON header, data. */
function handWritten(header: object, data: Uint8Array, padTo8 = true): Uint8Array {
  let json = new TextEncoder().encode(JSON.stringify(header));
  if (padTo8 && json.length % 8) json = new Uint8Array([...json, ...new Array<number>(8 - (json.length % 8)).fill(0x20)]);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32Bytes = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);

describe('safetensors', () => {
  beforeAll(async () => {
    await initBoth();
  });

  it('round-trips float32, int32 and bool tensors of any shape on both backends', async () => {
    const dtypes = ['float32', 'int32', 'bool'] as const;
    const shape = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 });
    const spec = fc.array(fc.record({ shape, dtype: fc.constantFrom(...dtypes), seed: fc.integer({ min: 1, max: 1000 }) }), { minLength: 1, maxLength: 4 });
    for (const backend of ['cpu', 'webgpu'] as const) {
      await useBackend(backend);
      await fc.assert(
        fc.asyncProperty(spec, async (specs) => {
          const named = new Map(
            specs.map((s, i) => {
              const n = s.shape.reduce((p, d) => p * d, 1);
              const values = Array.from({ length: n }, (_, k) => ((k * 7919 + s.seed) % 23) - 11 + (s.dtype === 'float32' ? 0.25 : 0));
              return [`layer${i}.w`, wg.tensor(s.dtype === 'bool' ? new Uint8Array(values.map((v) => (v > 0 ? 1 : 0))) : new Float32Array(values), { shape: s.shape, dtype: s.dtype })];
            }),
          );
          const bytes = await wg.io.saveSafetensors(named);
          const loaded = wg.io.loadSafetensors(bytes);
          expect([...loaded.keys()]).toEqual([...named.keys()]);
          for (const [name, t] of named) {
            const back = loaded.get(name)!;
            expect(back.shape).toEqual(t.shape);
            expect(back.dtype).toBe(t.dtype);
            expect(Array.from(await back.data())).toEqual(Array.from(await t.data()));
          }
        }),
        { numRuns: 25 },
      );
    }
  });

  it('writes the layout of the format: u64 length, JSON header padded with spaces, data in order', async () => {
    await useBackend('cpu');
    const bytes = await wg.io.saveSafetensors({ a: wg.tensor([1, 2]), b: wg.tensor([[3]], { dtype: 'int32' }) }, { format: 'pt' });
    const length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(length % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + length));
    expect(text.trimEnd()).toBe('{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[1,1],"data_offsets":[8,12]}}');
    expect(text.slice(text.trimEnd().length)).toMatch(/^ *$/);
    expect(Array.from(bytes.subarray(8 + length))).toEqual([...f32Bytes(1, 2), 3, 0, 0, 0]);
    expect(wg.io.readSafetensorsMetadata(bytes)).toEqual({ format: 'pt' });
  });

  it('reads a file written byte by byte, in any header order, with or without header padding', async () => {
    await useBackend('cpu');
    const data = new Uint8Array([...f32Bytes(1.5, -2), 7, 0, 0, 0, 1, 0]);
    const header = { z: { dtype: 'BOOL', shape: [2], data_offsets: [12, 14] }, y: { dtype: 'I32', shape: [], data_offsets: [8, 12] }, x: { dtype: 'F32', shape: [2, 1], data_offsets: [0, 8] } };
    for (const pad of [true, false]) {
      const loaded = wg.io.loadSafetensors(handWritten(header, data, pad));
      expect(await loaded.get('x')!.array()).toEqual([[1.5], [-2]]);
      expect(loaded.get('y')!.shape).toEqual([]);
      expect(await loaded.get('y')!.item()).toBe(7);
      expect(await loaded.get('z')!.array()).toEqual([true, false]);
    }
  });

  it('reads the fixture in the layout of the Python safetensors package, converting F16, BF16, F64 and I64', async () => {
    await useBackend('cpu');
    const bytes = new Uint8Array(readFileSync(new URL('fixtures/small.safetensors', import.meta.url)));
    const t = wg.io.loadSafetensors(bytes);
    expect([...t.keys()].sort()).toEqual(['brain', 'count', 'double', 'fc.bias', 'fc.weight', 'half', 'mask', 'steps']);
    expect(wg.io.readSafetensorsMetadata(bytes)).toEqual({ format: 'pt' });
    expectClose(await t.get('fc.weight')!.array(), [[0.5, -1.25, 2.0], [3.5, -0.125, 1e-3]]);
    expect(t.get('fc.weight')!.shape).toEqual([2, 3]);
    expectClose(await t.get('fc.bias')!.data(), [0.1, -0.2, 0.3]);
    expect(t.get('steps')!.dtype).toBe('int32');
    expect(Array.from(await t.get('steps')!.data())).toEqual([0, 1, -7, 2 ** 31 - 1]);
    expect(await t.get('mask')!.array()).toEqual([[true, false], [false, true]]);
    expect(t.get('half')!.dtype).toBe('float32');
    expectClose(await t.get('half')!.data(), [1, -2.5, 65504, 6.1035e-5], { rtol: 1e-3 });
    expect(Array.from(await t.get('brain')!.data())).toEqual([1, -3, 0.15625]);
    expectClose(await t.get('double')!.data(), [3.141592653589793, -1e30]);
    expect(Array.from(await t.get('count')!.data())).toEqual([42, -42]);
  });

  it('reads F16 subnormals, infinities and NaN', async () => {
    await useBackend('cpu');
    const half = new Uint8Array(new Uint16Array([0x0001, 0x7c00, 0xfc00, 0x7e00, 0x8000]).buffer);
    const t = wg.io.loadSafetensors(handWritten({ h: { dtype: 'F16', shape: [5], data_offsets: [0, 10] } }, half)).get('h')!;
    const v = Array.from(await t.data());
    expect(v[0]).toBeCloseTo(2 ** -24, 12);
    expect(v.slice(1, 3)).toEqual([Infinity, -Infinity]);
    expect(Number.isNaN(v[3])).toBe(true);
    expect(Object.is(v[4], -0)).toBe(true);
  });

  it('rejects an I64 outside int32 and an F64 beyond float32 with the tensor named', () => {
    const big = new Uint8Array(new BigInt64Array([1n, 2n ** 40n]).buffer);
    expect(() => wg.io.loadSafetensors(handWritten({ ids: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, big))).toThrow(/"ids".*outside int32/);
    const huge = new Uint8Array(new Float64Array([1e300]).buffer);
    expect(() => wg.io.loadSafetensors(handWritten({ d: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, huge))).toThrow(wg.DTypeError);
  });

  describe('malformed files are ArgumentErrors saying what is wrong', () => {
    const ok = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
    const cases: [string, Uint8Array, RegExp][] = [
      ['shorter than the length field', new Uint8Array(5), /fewer than the 8-byte/],
      ['a header length past the end', (() => { const b = handWritten({ a: ok }, f32Bytes(1, 2)); new DataView(b.buffer).setBigUint64(0, 1000n, true); return b; })(), /runs past the end/],
      ['a header that is not JSON', (() => { const b = handWritten({ a: ok }, f32Bytes(1, 2)); b[8] = 0x5b; return b; })(), /not UTF-8 JSON/],
      ['a header that is a JSON array', handWritten([1, 2] as unknown as object, new Uint8Array(0)), /not a JSON object/],
      ['an unknown dtype', handWritten({ a: { ...ok, dtype: 'F8_E4M3' } }, f32Bytes(1, 2)), /unknown dtype "F8_E4M3"/],
      ['a shape that disagrees with the offsets', handWritten({ a: { ...ok, shape: [3] } }, f32Bytes(1, 2)), /needs 12 bytes/],
      ['offsets past the data', handWritten({ a: { ...ok, data_offsets: [8, 16] } }, f32Bytes(1, 2)), /run past the 8 data bytes/],
      ['overlapping offsets', handWritten({ a: ok, b: { ...ok, data_offsets: [4, 12] } }, f32Bytes(1, 2, 3)), /overlap/],
      ['a gap between tensors', handWritten({ a: { ...ok, shape: [1], data_offsets: [0, 4] }, b: { ...ok, shape: [1], data_offsets: [8, 12] } }, f32Bytes(1, 2, 3)), /unused/],
      ['trailing data bytes', handWritten({ a: ok }, f32Bytes(1, 2, 3)), /file has 12 after the header/],
      ['reversed offsets', handWritten({ a: { ...ok, data_offsets: [8, 0] } }, f32Bytes(1, 2)), /data_offsets must be/],
      ['a negative dimension', handWritten({ a: { ...ok, shape: [-2] } }, f32Bytes(1, 2)), /shape must be/],
      ['non-string metadata', handWritten({ __metadata__: { n: 1 }, a: ok }, f32Bytes(1, 2)), /__metadata__/],
    ];
    it.each(cases)('%s', (_, bytes, message) => {
      let thrown: unknown;
      try {
        wg.io.loadSafetensors(bytes);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(wg.ArgumentError);
      expect((thrown as Error).message).toMatch(message);
    });

    it('creates no tensor from a file whose last tensor is bad', () => {
      const before = wg.memory().liveTensors;
      const bad = handWritten({ a: ok, b: { dtype: 'I64', shape: [1], data_offsets: [8, 16] } }, new Uint8Array([...f32Bytes(1, 2), 0, 0, 0, 0, 1, 0, 0, 0]));
      expect(() => wg.io.loadSafetensors(bad)).toThrow(/outside int32/);
      expect(wg.memory().liveTensors).toBe(before);
    });
  });
});
