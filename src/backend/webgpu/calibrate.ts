// Per-adapter kernel choice by measurement. The first time planning asks which variant of a
// kernel family to use on a shape class (a matmul of class 'large'), the kernel's default runs and
// that class's calibration starts in the background: each candidate timed on the class's probe,
// the fastest used by plans built afterwards and kept in the platform's timing store.

import type { GpuLaunch } from '../../graph/ir';
import { timeLaunches, type TimedLaunch } from './time-launch';
import type { ClassTimings, TimingStore } from './timing-store';

/** One kernel family's calibration: shape classes, each with a probe and its candidates. */
export interface CalibrationFamily {
  readonly family: string;
  readonly classes: readonly CalibrationClass[];
}

export interface CalibrationClass {
  readonly shapeClass: string;
  /** The launch of each candidate variant on the class's probe shape, with its binding sizes. */
  readonly candidates: readonly { variant: string; launch: GpuLaunch; bindingBytes: readonly number[] }[];
}

/** Times one candidate on the device, in ms (the default: fastest of 3 runs, ./time-launch.ts). */
export type CandidateTimer = (device: GPUDevice, candidate: TimedLaunch) => Promise<number>;

/** How a backend calibrates: where timings persist, whether it measures at all, and its limits. */
export interface CalibrationSettings {
  /** A name for the adapter; timings are kept per name. */
  readonly adapterKey: string;
  /** Where timings persist between runs (null: in this process only). */
  readonly store: TimingStore | null;
  /** False: nothing is measured; stored choices are still used. */
  readonly background: boolean;
  readonly timer?: CandidateTimer;
  /** A class's calibration starts no new candidate past this many ms; the next run measures the rest. */
  readonly budgetMs?: number;
  readonly clock?: () => number;
}

/**
 * The default budget: a GPU compiles and times a whole class well within it; on SwiftShader one
 * wide-tile compile alone takes 6–18 s, so a class there completes over a few runs.
 */
export const CALIBRATION_BUDGET_MS = 1500;

const forced = new Map<string, string>();

/**
 * Makes every kernel of `family` use `variant` on every adapter (undefined: back to measured
 * choices). Tests use it so that every variant runs against the CPU backend.
 */
export function forceKernelVariant(family: string, variant: string | undefined): void {
  if (variant === undefined) forced.delete(family);
  else forced.set(family, variant);
}

/** The variant forced for `family`, if any. */
export function forcedVariant(family: string): string | undefined {
  return forced.get(family);
}

/** A hash (FNV-1a) of the kernels a class times: timings stored for other kernels are dropped. */
export function classHash(c: CalibrationClass): string {
  const text = JSON.stringify(c.candidates.map(({ variant, launch, bindingBytes }) => [variant, launch.entryPoint, launch.constants ?? {}, launch.dims ?? [], launch.workgroups, bindingBytes, launch.code]));
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The fastest candidate once every one is timed, else undefined. */
function fastest(c: CalibrationClass, t: ClassTimings): string | undefined {
  if (c.candidates.length === 0 || c.candidates.some((x) => typeof t.ms[x.variant] !== 'number')) return undefined;
  return c.candidates.reduce((best, x) => (t.ms[x.variant]! < t.ms[best.variant]! ? x : best)).variant;
}

const timeOne: CandidateTimer = async (device, candidate) => (await timeLaunches(device, [candidate], 3))[0];

/** One adapter's kernel choices: stored ones, measured ones, and the calibrations in flight. */
export class KernelCalibration {
  private readonly timings = new Map<string, ClassTimings>();
  private readonly choices = new Map<string, string>();
  private readonly jobs = new Map<string, Promise<void>>();
  private readonly built = new Map<string, CalibrationFamily>();
  /** The latest job: jobs run one after another, so they never time each other's kernels. */
  private tail: Promise<void> = Promise.resolve();
  /** Candidates timed by this object (tests check that a cached class is not measured again). */
  measuredCandidates = 0;
  /** Whether a class asked for the first time is measured in the background (`init`'s `calibration`). */
  background: boolean;

  /** `families`: each family's calibration by name, built on first use (e.g. `matmulCalibration`). */
  constructor(
    private readonly device: GPUDevice,
    private readonly families: Readonly<Record<string, () => CalibrationFamily>>,
    private readonly settings: CalibrationSettings,
  ) {
    this.background = settings.background;
  }

  /** Takes the adapter's stored timings where they were measured on the current kernels. */
  async load(): Promise<void> {
    let stored: Record<string, ClassTimings> | undefined;
    try {
      stored = (await this.settings.store?.load())?.[this.settings.adapterKey];
    } catch {
      return;
    }
    for (const [key, t] of Object.entries(stored ?? {})) {
      const [family, shapeClass] = key.split('/');
      this.adopt(key, family, shapeClass, t);
    }
  }

  /**
   * The variant of `family` for `shapeClass`: forced, else measured, else undefined (the kernel's
   * default), starting the class's calibration in the background the first time it is asked.
   */
  variant(family: string, shapeClass: string): string | undefined {
    const f = forced.get(family);
    if (f !== undefined) return f;
    const chosen = this.choices.get(`${family}/${shapeClass}`);
    if (chosen === undefined && this.background) void this.calibrate(family, shapeClass);
    return chosen;
  }

  /** Measures a class once per object (a second call shares the first's promise); never rejects. */
  calibrate(family: string, shapeClass: string): Promise<void> {
    const key = `${family}/${shapeClass}`;
    let job = this.jobs.get(key);
    if (!job) {
      // A failed measurement (a lost device) leaves the default in use and stores nothing.
      job = this.tail.then(() => this.measure(key, family, shapeClass)).catch(() => undefined);
      this.jobs.set(key, job);
      this.tail = job;
    }
    return job;
  }

  /** Resolves when every calibration started so far has finished. */
  settled(): Promise<void> {
    return this.tail;
  }

  /** Calibrates every class of every family (benchmarks); returns the choices, `${family}/${shapeClass}` → variant. */
  async calibrateAll(): Promise<Record<string, string>> {
    for (const family of Object.keys(this.families)) {
      for (const c of this.family(family).classes) void this.calibrate(family, c.shapeClass);
    }
    await this.settled();
    return Object.fromEntries(this.choices);
  }

  private family(name: string): CalibrationFamily {
    let f = this.built.get(name);
    if (!f) this.built.set(name, (f = this.families[name]()));
    return f;
  }

  private classOf(family: string, shapeClass: string): CalibrationClass | undefined {
    return family in this.families ? this.family(family).classes.find((c) => c.shapeClass === shapeClass) : undefined;
  }

  /** Keeps `t` if it timed the current kernels of the class, choosing the fastest once complete. */
  private adopt(key: string, family: string, shapeClass: string, t: ClassTimings): void {
    const c = this.classOf(family, shapeClass);
    if (!c || typeof t?.ms !== 'object' || t.ms === null || t.hash !== classHash(c)) return;
    this.timings.set(key, t);
    const v = fastest(c, t);
    if (v !== undefined) this.choices.set(key, v);
  }

  private async measure(key: string, family: string, shapeClass: string): Promise<void> {
    const c = this.classOf(family, shapeClass);
    if (!c || this.choices.has(key)) return;
    const { timer = timeOne, budgetMs = CALIBRATION_BUDGET_MS, clock = () => performance.now(), store, adapterKey } = this.settings;
    const hash = classHash(c);
    const before = this.timings.get(key);
    const ms: Record<string, number> = before?.hash === hash ? { ...before.ms } : {};
    const start = clock();
    for (const x of c.candidates) {
      if (x.variant in ms) continue;
      if (clock() - start >= budgetMs) break;
      ms[x.variant] = await timer(this.device, x);
      this.measuredCandidates++;
    }
    const t = { hash, ms };
    this.adopt(key, family, shapeClass, t);
    await store?.save(adapterKey, key, t).catch(() => undefined);
  }
}
