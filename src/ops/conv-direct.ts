// The forward conv for a short reduction (shaders/conv2d_direct.wgsl): a first layer on 1–4
// channels. Generates its entry point unrolled over the reduction; says when it applies and how
// it launches; src/ops/conv.ts decides when it runs.

import directWgsl from '../../shaders/conv2d_direct.wgsl?raw';
import type { ConvGeometry } from './conv';

/** Reduction terms (KH·KW·CIN) up to which the direct kernel runs: 3×3 on up to 4 channels. */
const SHORT_REDUCTION = 36;

/** Accumulator floats per invocation (pixels × COUT) the kernel keeps to, past 1 pixel. */
const ACCUMULATOR_FLOATS = 128;

/**
 * Unrolled vec4 multiply-adds (terms × COUT/4 × pixels) the kernel keeps to, past 1 pixel:
 * SwiftShader compiled 216, 432 and 864 of them (27 terms, 32 channels) in 0.5, 1 and 3 s.
 */
const UNROLLED_FMAS = 512;

/** The vec4 multiply-adds of one output pixel: reduction terms × COUT/4. */
const pixelFmas = (a: ConvGeometry) => (a.kh * a.kw * a.cin * a.cout) / 4;

/** Whether geometry `a` fits the direct kernel: one group, COUT % 4 = 0, KH·KW·CIN ≤ 36, a pixel within the unroll budget. */
export function hasShortReduction(a: ConvGeometry): boolean {
  return a.groups === 1 && a.cout % 4 === 0 && a.kh * a.kw * a.cin <= SHORT_REDUCTION && pixelFmas(a) <= UNROLLED_FMAS;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * The entry point `short_reduction`: `pixels` neighbouring output pixels of one row × all COUT
 * channels per invocation, the reduction unrolled. SwiftShader gathers a storage read lane by
 * lane unless its index is a constant: the weights are a fixed-size array read at constant
 * indices (one broadcast load each, shared by the pixels), and each input tap the pixels
 * share (columns p·SW + kx·DW) is read once, for all channels.
 */
function entryPoint(a: ConvGeometry, pixels: number): string {
  const blocks = a.cout / 4;
  const acc = (p: number, b: number) => `a${p}_${b}`;
  const columns = [...new Set(range(pixels).flatMap((p) => range(a.kw).map((kx) => p * a.sw + kx * a.dw)))];
  const lines = [
    `@group(0) @binding(1) var<storage, read> w: array<vec4f, ${a.kh * a.kw * a.cin * blocks}>;`,
    '',
    '@compute @workgroup_size(64)',
    'fn short_reduction(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {',
    '  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;',
    `  let colTiles = (OW + ${pixels - 1}u) / ${pixels}u;`,
    '  let outRow = t / colTiles;',
    '  if (outRow >= N * OH) { return; }',
    `  let ox0 = (t % colTiles) * ${pixels}u;`,
    '  let m0 = outRow * OW + ox0;',
    '  let img = i32(outRow / OH * H * W * CIN);',
    '  let top = i32(outRow % OH * SH) - i32(PT);',
    '  let left = i32(ox0 * SW) - i32(PL);',
    ...range(pixels * blocks).map((i) => `  var ${acc(Math.floor(i / blocks), i % blocks)} = vec4f(0.0);`),
  ];
  for (let ky = 0; ky < a.kh; ky++) {
    for (let ci = 0; ci < a.cin; ci++) {
      const tap = (c: number) => `x${ky}_${ci}_${c}`;
      for (const c of columns) lines.push(`  let ${tap(c)} = tap(top + ${ky * a.dh}, left + ${c}, img, ${ci});`);
      for (let kx = 0; kx < a.kw; kx++) {
        const term = (ky * a.kw + kx) * a.cin + ci;
        for (let b = 0; b < blocks; b++) {
          const fmas = range(pixels).map((p) => `${acc(p, b)} += ${tap(p * a.sw + kx * a.dw)} * v;`);
          lines.push(`  { let v = w[${term * blocks + b}]; ${fmas.join(' ')} }`);
        }
      }
    }
  }
  // The stores in a loop over the pixels, each pixel's accumulators picked by selects: one copy of
  // the fused epilogue per channel block to compile (not one per accumulator), and no private
  // array indexed at run time (SwiftShader keeps one in memory).
  const pick = (b: number) => range(pixels - 1).reduce((v, p) => `select(${v}, ${acc(p + 1, b)}, p == ${p + 1}u)`, acc(0, b));
  lines.push(
    `  for (var p = 0u; p < ${pixels}u; p++) {`,
    '    if (ox0 + p >= OW) { break; }',
    ...range(blocks).map((b) => `    store(m0 + p, ${b}u, ${pick(b)});`),
    '  }',
    '}',
  );
  return lines.join('\n');
}

/** The kernel's code and its invocations: up to 4 output pixels of a row (within both budgets) × all output channels each. */
export function shortReductionKernel(a: ConvGeometry): { code: string; invocations: number } {
  const pixels = Math.max(1, Math.min(4, Math.floor(ACCUMULATOR_FLOATS / a.cout), Math.floor(UNROLLED_FMAS / pixelFmas(a))));
  return { code: `${directWgsl}\n${entryPoint(a, pixels)}\n`, invocations: a.n * a.oh * Math.ceil(a.ow / pixels) };
}
