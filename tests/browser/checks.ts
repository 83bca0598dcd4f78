// The browser suite's checks: one row per behaviour, run in headless Chromium by page.ts and
// reported one vitest test per row by browser.test.ts. Add a row for every op: compare the
// webgpu result with the cpu backend (`matchesCpu`) or with values computed here (`equals`).
// Only types come from the library here, so Node can read the table's names without a GPU.

import type * as Webgrad from '../../src/index';

export type Wg = typeof Webgrad;
type Tensor = Webgrad.Tensor;

export interface Check {
  name: string;
  run: (wg: Wg) => Promise<void>;
}

interface Tolerance {
  atol?: number;
  rtol?: number;
}

export const checks: Check[] = [
  {
    name: 'init picks the webgpu backend and describes the adapter',
    run: async (wg) => {
      const info = await wg.init({ backend: 'webgpu' });
      if (info.backend !== 'webgpu') throw new Error(`init chose backend ${info.backend}`);
      if (typeof info.adapter.vendor !== 'string') throw new Error('init returned no adapter vendor');
      if (wg.getBackend() !== 'webgpu') throw new Error(`getBackend() is ${wg.getBackend()}`);
    },
  },
  {
    name: 'add, mul and relu chain',
    run: async (wg) => {
      const f = (w: Wg) => w.tensor([[1, -2], [3, -4]]).add(1).mul(2).relu();
      await equals(wg, f, [2, 2], [4, 0, 8, 0]);
      await matchesCpu(wg, f);
    },
  },
  {
    name: 'sum over all elements and over an axis',
    run: async (wg) => {
      await equals(wg, (w) => w.tensor([[1, 2, 3], [4, 5, 6]]).sum(), [], [21]);
      await equals(wg, (w) => w.tensor([[1, 2, 3], [4, 5, 6]]).sum(0), [3], [5, 7, 9]);
      await equals(wg, (w) => w.tensor([[1, 2, 3], [4, 5, 6]]).sum(1, true), [2, 1], [6, 15]);
      await matchesCpu(wg, (w) => fill(w, [37, 129], 1).sum(1), { atol: 1e-4 });
    },
  },
  {
    name: 'matmul',
    run: async (wg) => {
      const a = [[1, 2, 3], [4, 5, 6]];
      const b = [[7, 8], [9, 10], [11, 12]];
      await equals(wg, (w) => w.tensor(a).matmul(w.tensor(b)), [2, 2], [58, 64, 139, 154]);
      await matchesCpu(wg, (w) => fill(w, [65, 47], 2).matmul(fill(w, [47, 33], 3)), { atol: 1e-4 });
    },
  },
  {
    name: 'softmax over the last axis',
    run: async (wg) => {
      const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
      const z = e[0]! + e[1]! + e[2]!;
      await equals(wg, (w) => w.tensor([1, 2, 3]).softmax(), [3], e.map((v) => v / z));
      await matchesCpu(wg, (w) => fill(w, [9, 70], 4).mul(20).softmax());
    },
  },
  {
    name: 'reshape then transpose',
    run: async (wg) => {
      await equals(wg, (w) => w.tensor([1, 2, 3, 4, 5, 6]).reshape([2, 3]).transpose(), [3, 2], [1, 4, 2, 5, 3, 6]);
      await matchesCpu(wg, (w) => fill(w, [4, 6, 5], 5).reshape([24, -1]).transpose().add(1));
    },
  },
];

/** Realizes `f` on the webgpu backend and on the cpu backend and compares shapes and values. */
async function matchesCpu(wg: Wg, f: (w: Wg) => Tensor, tol?: Tolerance): Promise<void> {
  const gpu = await valuesOn(wg, 'webgpu', f);
  const cpu = await valuesOn(wg, 'cpu', f);
  expectClose(gpu.shape, gpu.values, cpu.shape, cpu.values, tol, 'webgpu vs cpu');
}

/** Realizes `f` on the webgpu backend and compares it with values known independently. */
async function equals(wg: Wg, f: (w: Wg) => Tensor, shape: number[], expected: ArrayLike<number>, tol?: Tolerance): Promise<void> {
  const gpu = await valuesOn(wg, 'webgpu', f);
  expectClose(gpu.shape, gpu.values, shape, expected, tol, 'webgpu vs expected');
}

async function valuesOn(wg: Wg, backend: 'webgpu' | 'cpu', f: (w: Wg) => Tensor): Promise<{ shape: readonly number[]; values: ArrayLike<number> }> {
  await wg.setBackend(backend);
  try {
    const t = f(wg);
    const values = await t.data();
    return { shape: t.shape, values: Array.from(values, Number) };
  } finally {
    await wg.setBackend('webgpu');
  }
}

function expectClose(
  shape: readonly number[],
  values: ArrayLike<number>,
  expectedShape: readonly number[],
  expected: ArrayLike<number>,
  { atol = 1e-5, rtol = 1e-4 }: Tolerance = {},
  what: string,
): void {
  if (shape.join(',') !== expectedShape.join(',')) {
    throw new Error(`${what}: shape [${shape}] but expected [${expectedShape}]`);
  }
  if (values.length !== expected.length) {
    throw new Error(`${what}: ${values.length} values but expected ${expected.length}`);
  }
  for (let i = 0; i < values.length; i++) {
    const got = values[i]!;
    const want = expected[i]!;
    const close = Object.is(got, want) || Math.abs(got - want) <= atol + rtol * Math.abs(want);
    if (!close) throw new Error(`${what}: element ${i} is ${got}, expected ${want} (atol ${atol}, rtol ${rtol})`);
  }
}

/** A tensor of deterministic values in [-1, 1), the same on every backend and every run. */
function fill(wg: Wg, shape: number[], seed: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  let state = (seed * 2654435761) >>> 0;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = state / 2 ** 31 - 1;
  }
  return wg.tensor(values, { shape });
}
