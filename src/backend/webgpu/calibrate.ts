// Per-adapter kernel choice by measurement: `calibrate` times each candidate variant of a kernel
// family on one probe shape per shape class and records the fastest, so planning (synchronous)
// reads a table instead of guessing by adapter name. Results are kept for the process per
// adapter and in `localStorage` where there is one; `forceKernelVariant` overrides them (tests).

import type { GpuLaunch } from '../../graph/ir';
import { timeLaunches } from './time-launch';

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

/** Measured choices: `${family}/${shapeClass}` → variant. */
export type Choices = Record<string, string>;

const forced = new Map<string, string>();
const measured = new Map<string, Choices>();
const STORAGE_PREFIX = 'webgrad.kernelChoices.';

/**
 * Makes every kernel of `family` use `variant` on every adapter (undefined: back to measured
 * choices). Tests use it so that every variant runs against the CPU backend.
 */
export function forceKernelVariant(family: string, variant: string | undefined): void {
  if (variant === undefined) forced.delete(family);
  else forced.set(family, variant);
}

/** The variant to use for `family` on shapes of `shapeClass`, or undefined: the kernel's default. */
export function chosenVariant(choices: Choices, family: string, shapeClass: string): string | undefined {
  return forced.get(family) ?? choices[`${family}/${shapeClass}`];
}

function stored(adapterKey: string): Choices | undefined {
  if (typeof localStorage === 'undefined') return undefined;
  const text = localStorage.getItem(STORAGE_PREFIX + adapterKey);
  return text ? (JSON.parse(text) as Choices) : undefined;
}

function store(adapterKey: string, choices: Choices): void {
  if (typeof localStorage !== 'undefined') localStorage.setItem(STORAGE_PREFIX + adapterKey, JSON.stringify(choices));
}

/**
 * The choices for the adapter named `adapterKey`: cached ones (this process, or `localStorage`),
 * else measured now on `device` — each candidate compiled, then timed (fastest of 3) on its class's probe.
 */
export async function calibrate(device: GPUDevice, adapterKey: string, families: readonly CalibrationFamily[]): Promise<Choices> {
  const cached = measured.get(adapterKey) ?? stored(adapterKey);
  if (cached) {
    measured.set(adapterKey, cached);
    return cached;
  }
  const choices: Choices = {};
  for (const f of families) {
    for (const c of f.classes) {
      const times = await timeLaunches(device, c.candidates, 3);
      const best = times.indexOf(Math.min(...times));
      choices[`${f.family}/${c.shapeClass}`] = c.candidates[best].variant;
    }
  }
  measured.set(adapterKey, choices);
  store(adapterKey, choices);
  return choices;
}
