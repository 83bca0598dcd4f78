// Where a page's Content-Security-Policy forbids compiling code (`new Function` throws EvalError),
// the CPU backend warns once and runs graphs with the node-by-node interpreter, same values.
// Its own file: the fallback lasts for the backend's lifetime.

import { afterEach, expect, test, vi } from 'vitest';
import { randomTensor, seeded, wg } from '../helpers';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

test('a CSP that forbids new Function falls back to interpreting, with one warning', async () => {
  await wg.init({ backend: 'cpu' });
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.stubGlobal('Function', function forbidden() {
    throw new EvalError("Refused to evaluate a string as JavaScript because 'unsafe-eval' is not an allowed source");
  });
  const got = await randomTensor([4], 3).mul(2).add(1).data();
  expect(Array.from(got)).toEqual(seeded(4, 3).map((v) => Math.fround(Math.fround(v * 2) + 1)));
  const again = await randomTensor([3], 4).sub(1).data();
  expect(Array.from(again)).toEqual(seeded(3, 4).map((v) => Math.fround(v - 1)));
  expect(warn).toHaveBeenCalledTimes(1);
  expect(String(warn.mock.calls[0][0])).toMatch(/Content-Security-Policy/);
});
