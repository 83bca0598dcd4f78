// The forward conv for a short reduction (shaders/conv2d_direct.wgsl): a first layer on 1–4
// channels, where an implicit-GEMM tile, a tap at a time, spends its time updating accumulators.
// Says when it applies and how it launches; src/ops/conv.ts decides when it runs.

import directWgsl from '../../shaders/conv2d_direct.wgsl?raw';
import type { ConvGeometry } from './conv';

/** Reduction terms (KH·KW·CIN) up to which the direct kernel runs: 3×3 on up to 4 channels. */
const SHORT_REDUCTION = 36;

/** Whether geometry `a` fits the direct kernel: one group, COUT % 4 = 0, KH·KW·CIN ≤ 36. */
export function hasShortReduction(a: ConvGeometry): boolean {
  return a.groups === 1 && a.cout % 4 === 0 && a.kh * a.kw * a.cin <= SHORT_REDUCTION;
}

/** The kernel's code and its invocations: 4 output pixels × 16 output channels each. */
export function shortReductionKernel(a: ConvGeometry): { code: string; invocations: number } {
  return { code: directWgsl, invocations: Math.ceil((a.n * a.oh * a.ow) / 4) * Math.ceil(a.cout / 16) };
}
