// The kernel families calibration measures, by the name their GPU lowering asks for
// (`target.variant(family, shapeClass)`): each built for the adapter's target when first measured.

import type { GpuTarget } from '../../graph/ir';
import { matmulCalibration } from '../../ops/matmul';
import type { CalibrationFamily } from './calibrate';

export function calibrationFamilies(target: GpuTarget): Record<string, () => CalibrationFamily> {
  return { matmul: () => matmulCalibration(target) };
}
