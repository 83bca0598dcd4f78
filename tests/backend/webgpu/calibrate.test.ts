// Kernel calibration's choices and their persistence, with a fake timer and clock (no device):
// the first use of a class measures it once, the fastest candidate wins, timings round-trip
// through a file and localStorage, stale or partial entries are measured (again), budgets hold.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classHash, forceKernelVariant, KernelCalibration, type CalibrationFamily, type CalibrationSettings, type CandidateTimer } from '../../../src/backend/webgpu/calibrate';
import { fileStore, localStorageStore, type KeyValueStorage, type TimingStore } from '../../../src/backend/webgpu/timing-store';
import { nodeFiles } from '../../../src/io/node-files';

/** A family 'toy' with classes 'a' and 'b', whose candidates' kernels are text only (never run). */
function toyFamily(code = 'fn main() {}'): CalibrationFamily {
  const candidate = (variant: string) => ({ variant, launch: { code, entryPoint: `main_${variant}`, workgroups: [1, 1, 1] as const }, bindingBytes: [64] });
  return {
    family: 'toy',
    classes: [
      { shapeClass: 'a', candidates: ['slow', 'fast', 'middle'].map(candidate) },
      { shapeClass: 'b', candidates: ['slow', 'fast'].map(candidate) },
    ],
  };
}

const TIMES: Record<string, number> = { slow: 30, fast: 10, middle: 20 };

/** A timer that reports TIMES and records what it timed. */
function fakeTimer(timed: string[] = []): CandidateTimer {
  return async (_device, c) => {
    timed.push(c.launch.entryPoint);
    return TIMES[c.launch.entryPoint.slice('main_'.length)];
  };
}

// The fake timer never touches the device.
const NO_DEVICE = {} as GPUDevice;

function calibration(settings: Partial<CalibrationSettings> = {}, family = toyFamily()): KernelCalibration {
  return new KernelCalibration(NO_DEVICE, { toy: () => family }, { adapterKey: 'toy-adapter', store: null, background: true, timer: fakeTimer(), ...settings });
}

/** localStorage's two calls over a Map. */
function memoryStorage(): KeyValueStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) };
}

describe('calibration choices', () => {
  it('the first use of a class runs the default and starts its calibration, which picks the measured-fastest', async () => {
    const timed: string[] = [];
    const c = calibration({ timer: fakeTimer(timed) });
    expect(c.variant('toy', 'a')).toBeUndefined();
    await c.settled();
    expect(timed).toEqual(['main_slow', 'main_fast', 'main_middle']);
    expect(c.variant('toy', 'a')).toBe('fast');
  });

  it('a class is measured once: asking again, or while it measures, times nothing more', async () => {
    const c = calibration();
    c.variant('toy', 'b');
    c.variant('toy', 'b');
    await c.calibrate('toy', 'b');
    await c.calibrate('toy', 'b');
    expect(c.measuredCandidates).toBe(2);
    expect(c.variant('toy', 'b')).toBe('fast');
  });

  it('classes calibrate one after another, never at once', async () => {
    let running = 0;
    let most = 0;
    const timer: CandidateTimer = async (_d, x) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 1));
      running--;
      return TIMES[x.launch.entryPoint.slice('main_'.length)];
    };
    const c = calibration({ timer });
    c.variant('toy', 'a');
    c.variant('toy', 'b');
    await c.settled();
    expect(most).toBe(1);
    expect([c.variant('toy', 'a'), c.variant('toy', 'b')]).toEqual(['fast', 'fast']);
  });

  it('a forced variant rules and starts no calibration', async () => {
    const c = calibration();
    forceKernelVariant('toy', 'slow');
    try {
      expect(c.variant('toy', 'a')).toBe('slow');
    } finally {
      forceKernelVariant('toy', undefined);
    }
    await c.settled();
    expect(c.measuredCandidates).toBe(0);
  });

  it("with calibration 'off' nothing is measured and the default stays", async () => {
    const c = calibration({ background: false });
    expect(c.variant('toy', 'a')).toBeUndefined();
    await c.settled();
    expect(c.measuredCandidates).toBe(0);
  });

  it('a family or class it does not know measures nothing', async () => {
    const c = calibration();
    expect(c.variant('toy', 'nope')).toBeUndefined();
    expect(c.variant('other', 'a')).toBeUndefined();
    await c.settled();
    expect(c.measuredCandidates).toBe(0);
  });

  it('a failed measurement (a lost device) keeps the default and stores nothing', async () => {
    const storage = memoryStorage();
    const c = calibration({ store: localStorageStore(storage), timer: async () => Promise.reject(new Error('device lost')) });
    c.variant('toy', 'a');
    await c.settled();
    expect(c.variant('toy', 'a')).toBeUndefined();
    expect(storage.items.size).toBe(0);
  });

  it('calibrateAll measures every class of every family', async () => {
    expect(await calibration().calibrateAll()).toEqual({ 'toy/a': 'fast', 'toy/b': 'fast' });
  });
});

describe('calibration budget', () => {
  it('a class past its budget stops starting candidates, and the next run measures only the rest', async () => {
    const storage = memoryStorage();
    let now = 0;
    const timed: string[] = [];
    // Each candidate takes 600 ms of the 1000 ms budget: the second starts, the third does not.
    const slowTimer: CandidateTimer = async (d, x) => {
      now += 600;
      return fakeTimer(timed)(d, x);
    };
    const first = calibration({ store: localStorageStore(storage), timer: slowTimer, clock: () => now, budgetMs: 1000 });
    first.variant('toy', 'a');
    await first.settled();
    expect(timed).toEqual(['main_slow', 'main_fast']);
    expect(first.variant('toy', 'a')).toBeUndefined();

    const next = calibration({ store: localStorageStore(storage), timer: slowTimer, clock: () => now, budgetMs: 1000 });
    await next.load();
    next.variant('toy', 'a');
    await next.settled();
    expect(timed).toEqual(['main_slow', 'main_fast', 'main_middle']);
    expect(next.variant('toy', 'a')).toBe('fast');
  });
});

describe('calibration persistence', () => {
  let folder = '';
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'webgrad-calibration-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  async function measuredThenReloaded(store: () => TimingStore): Promise<KernelCalibration> {
    const first = calibration({ store: store() });
    first.variant('toy', 'a');
    await first.settled();
    const next = calibration({ store: store() });
    await next.load();
    return next;
  }

  it('timings round-trip through a file in the cache folder: the next process measures nothing', async () => {
    const next = await measuredThenReloaded(() => fileStore(nodeFiles, folder));
    expect(next.variant('toy', 'a')).toBe('fast');
    await next.settled();
    expect(next.measuredCandidates).toBe(0);
    const stored = JSON.parse(await readFile(join(folder, 'kernel-timings-v1.json'), 'utf8'));
    expect(stored['toy-adapter']['toy/a'].ms).toEqual({ slow: 30, fast: 10, middle: 20 });
  });

  it('timings round-trip through localStorage', async () => {
    const storage = memoryStorage();
    const next = await measuredThenReloaded(() => localStorageStore(storage));
    expect(next.variant('toy', 'a')).toBe('fast');
    await next.settled();
    expect(next.measuredCandidates).toBe(0);
  });

  it('a second class is stored beside the first, and another adapter does not see them', async () => {
    const storage = memoryStorage();
    const c = calibration({ store: localStorageStore(storage) });
    await c.calibrateAll();
    const other = calibration({ store: localStorageStore(storage), adapterKey: 'other-adapter' });
    await other.load();
    expect(other.variant('toy', 'a')).toBeUndefined();
    const same = calibration({ store: localStorageStore(storage) });
    await same.load();
    expect([same.variant('toy', 'a'), same.variant('toy', 'b')]).toEqual(['fast', 'fast']);
  });

  it('timings stored for other kernels (a stale hash) are ignored and measured again', async () => {
    const storage = memoryStorage();
    const old = calibration({ store: localStorageStore(storage) }, toyFamily('fn main() { /* an older kernel */ }'));
    old.variant('toy', 'a');
    await old.settled();
    const timed: string[] = [];
    const next = calibration({ store: localStorageStore(storage), timer: fakeTimer(timed) });
    await next.load();
    expect(next.variant('toy', 'a')).toBeUndefined();
    await next.settled();
    expect(timed).toHaveLength(3);
    expect(JSON.parse(storage.items.get('webgrad.kernelTimings.v1')!)['toy-adapter']['toy/a'].hash).toBe(classHash(toyFamily().classes[0]));
  });

  it('the class hash covers the runtime sizes a candidate reads (its dims)', () => {
    const withDims = (dims: number[]) => {
      const c = toyFamily().classes[0]!;
      return { ...c, candidates: c.candidates.map((x) => ({ ...x, launch: { ...x.launch, dims } })) };
    };
    expect(classHash(withDims([256, 256, 256]))).not.toBe(classHash(withDims([512, 512, 512])));
    expect(classHash(withDims([256, 256, 256]))).toBe(classHash(withDims([256, 256, 256])));
  });

  it('a malformed entry counts as none', async () => {
    const storage = memoryStorage();
    const hash = classHash(toyFamily().classes[0]);
    storage.setItem('webgrad.kernelTimings.v1', JSON.stringify({ 'toy-adapter': { 'toy/a': { hash }, 'toy/b': null } }));
    const c = calibration({ store: localStorageStore(storage) });
    await c.load();
    expect([c.variant('toy', 'a'), c.variant('toy', 'b')]).toEqual([undefined, undefined]);
    await c.settled();
    expect([c.variant('toy', 'a'), c.variant('toy', 'b')]).toEqual(['fast', 'fast']);
  });

  it('an unreadable timings file counts as none', async () => {
    await writeFile(join(folder, 'kernel-timings-v1.json'), '{"toy-adapter": {"toy/a"');
    const c = calibration({ store: fileStore(nodeFiles, folder) });
    await c.load();
    expect(c.variant('toy', 'a')).toBeUndefined();
    await c.settled();
    expect(c.variant('toy', 'a')).toBe('fast');
  });

  it('the cache folder is WEBGRAD_CACHE_DIR when set (empty: none), else webgrad under the user cache', () => {
    const saved = process.env.WEBGRAD_CACHE_DIR;
    try {
      process.env.WEBGRAD_CACHE_DIR = folder;
      expect(nodeFiles.cacheFolder).toBe(folder);
      process.env.WEBGRAD_CACHE_DIR = '';
      expect(nodeFiles.cacheFolder).toBeUndefined();
      delete process.env.WEBGRAD_CACHE_DIR;
      expect(nodeFiles.cacheFolder).toMatch(/webgrad$/);
    } finally {
      if (saved === undefined) delete process.env.WEBGRAD_CACHE_DIR;
      else process.env.WEBGRAD_CACHE_DIR = saved;
    }
  });
});
