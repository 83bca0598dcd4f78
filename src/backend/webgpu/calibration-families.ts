// The kernel families calibration measures, by the name their GPU lowering asks for
// (`target.variant(family, shapeClass)`). An op module registers its family when it loads (so
// the backend imports no op).

import type { GpuTarget } from '../../graph/ir';
import type { CalibrationFamily } from './calibrate';

type FamilyBuilder = (target: GpuTarget) => CalibrationFamily;

const registered = new Map<string, FamilyBuilder>();

/** Makes `family` calibratable: `build` gives its shape classes and candidates for a target. */
export function registerCalibrationFamily(family: string, build: FamilyBuilder): void {
  registered.set(family, build);
}

/** The families registered so far (every op module has loaded by `init`), each built for `target` on first use. */
export function calibrationFamilies(target: GpuTarget): Record<string, () => CalibrationFamily> {
  return Object.fromEntries([...registered].map(([family, build]) => [family, () => build(target)]));
}
