// Calibration of the convolution kernels: for each family (forward, input gradient, weight
// gradient) the direct kernels and each wide tile timed on one large probe geometry, the CNN's
// second conv at batch 16 (14×14, 32 → 64 channels, 3×3 same).

import type { CalibrationFamily } from '../backend/webgpu/calibrate';
import { resolveIncludes } from '../graph/codegen';
import type { GpuLaunch, GpuTarget, KernelDef, LazyNode } from '../graph/ir';
import { CONV_FAMILIES, CONV_VARIANTS, CONV2D, CONV2D_INPUT_GRAD, CONV2D_WEIGHT_GRAD, convClass, weightGradAttrs, type ConvGeometry } from './conv';

const PROBE: ConvGeometry = { n: 16, h: 14, w: 14, cin: 32, oh: 14, ow: 14, cout: 64, kh: 3, kw: 3, sh: 1, sw: 1, pt: 1, pl: 1, dh: 1, dw: 1, groups: 1 };

/** The launch of `def` on `attrs` with `variant` in place of any choice, its includes resolved. */
function launchOf<A>(def: KernelDef<A>, attrs: A, target: GpuTarget, variant: string): GpuLaunch {
  const l = def.gpu({ op: { attrs } } as LazyNode & { op: { attrs: A } }, { ...target, variant: () => variant });
  return { ...l, code: resolveIncludes(l.code) };
}

/** One calibration family per convolution kernel, each with its candidates on the probe. */
export function convCalibration(target: GpuTarget): CalibrationFamily[] {
  const a = PROBE;
  const [x, w, y] = [a.n * a.h * a.w * a.cin * 4, a.kh * a.kw * a.cin * a.cout * 4, a.n * a.oh * a.ow * a.cout * 4];
  const dw = weightGradAttrs(a);
  const kernels = [
    { family: CONV_FAMILIES.forward, launch: (v: string) => launchOf(CONV2D, a, target, v), bindingBytes: [x, w, y] },
    { family: CONV_FAMILIES.inputGrad, launch: (v: string) => launchOf(CONV2D_INPUT_GRAD, a, target, v), bindingBytes: [y, w, x] },
    { family: CONV_FAMILIES.weightGrad, launch: (v: string) => launchOf(CONV2D_WEIGHT_GRAD, dw, target, v), bindingBytes: [x, y, dw.split * w] },
  ];
  return kernels.map((k) => ({
    family: k.family,
    classes: [{ shapeClass: convClass(a), candidates: CONV_VARIANTS.map((variant) => ({ variant, launch: k.launch(variant), bindingBytes: k.bindingBytes })) }],
  }));
}
