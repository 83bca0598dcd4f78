// Winograd F(2×2, 3×3) for 3×3 stride-1 dilation-1 single-group convolutions: the forward conv and
// its input gradient, `main_winograd` generated unrolled onto shaders/conv2d_winograd.wgsl. Says
// when it applies and how it launches; src/ops/conv.ts decides when it runs.

import winogradWgsl from '../../shaders/conv2d_winograd.wgsl?raw';
import type { ConvGeometry } from './conv';

/** The forward conv (x → y) or its input gradient (dy → dx, a 'full' correlation with w flipped). */
export type WinogradMode = 'forward' | 'inputGrad';

/**
 * 2×2 output tiles per invocation (consecutive in (n, tile row, tile column) order). 4 tiles × 2
 * blocks ran level with the wide tiles on SwiftShader at the CNN's and W5's shapes; 2 × 2 ran
 * 0.8-0.95× of them (more weight transforms per product).
 */
const TILES = 4;
/** vec4 blocks of output channels per invocation: the weight transform is shared by the tiles. */
const BLOCKS = 2;

/** The WGSL names of one mode's sizes: the image read, the reduction channels, the image written. */
interface Roles {
  readonly srcH: string;
  readonly srcW: string;
  readonly red: string;
  readonly dstH: string;
  readonly dstW: string;
  readonly outC: string;
  /** Rows and columns of padding before the source's first pixel, as i32. */
  readonly lead: readonly [string, string];
}

const ROLES: Record<WinogradMode, Roles> = {
  forward: { srcH: 'H', srcW: 'W', red: 'CIN', dstH: 'OH', dstW: 'OW', outC: 'COUT', lead: ['i32(PT)', 'i32(PL)'] },
  // dx[i] = Σₖ dy[i + p − k] w[k] = Σₖ' dy[i − (2 − p) + k'] w[2 − k']: padding 2 − p, taps flipped.
  inputGrad: { srcH: 'OH', srcW: 'OW', red: 'COUT', dstH: 'H', dstW: 'W', outC: 'CIN', lead: ['(2 - i32(PT))', '(2 - i32(PL))'] },
};

/** The channels the mode reduces over and writes: vec4s of the first, blocks of 8 of the second. */
function channels(a: ConvGeometry, mode: WinogradMode): [reduced: number, written: number] {
  return mode === 'forward' ? [a.cin, a.cout] : [a.cout, a.cin];
}

/**
 * Whether geometry `a` fits the Winograd kernel in `mode`: a 3×3 kernel, stride 1, dilation 1,
 * one group, reduced channels in multiples of 4 and written ones in multiples of 8.
 */
export function winogradFits(a: ConvGeometry, mode: WinogradMode): boolean {
  const [reduced, written] = channels(a, mode);
  const square = a.kh === 3 && a.kw === 3 && a.sh === 1 && a.sw === 1 && a.dh === 1 && a.dw === 1;
  return square && a.groups === 1 && reduced % 4 === 0 && written % (4 * BLOCKS) === 0;
}

/** The invocations of a launch on `a` in `mode`: groups of TILES tiles × blocks of output channels. */
export function winogradInvocations(a: ConvGeometry, mode: WinogradMode): number {
  const [oh, ow] = mode === 'forward' ? [a.oh, a.ow] : [a.h, a.w];
  const tiles = a.n * Math.ceil(oh / 2) * Math.ceil(ow / 2);
  return Math.ceil(tiles / TILES) * (channels(a, mode)[1] / (4 * BLOCKS));
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const acc = (j: number, c: number, k: number) => `m${j}_${c}_${k}`;

/** U' = G' g G'ᵀ of block c from its 9 taps (G' is G with rows 1, 2 doubled: adds only). */
function weightTransform(c: number, mode: WinogradMode): string[] {
  const lines: string[] = [];
  for (let ky = 0; ky < 3; ky++) {
    for (let kx = 0; kx < 3; kx++) {
      // forward: columns are 4 input channels, each a vec4 of output channels; inputGrad: columns
      // are 4 output channels (x's), each a vec4 of reduced channels (dy's), at the flipped tap.
      const cols =
        mode === 'forward'
          ? range(4).map((i) => `w[wb + ${ky * 3 + kx}u * ts + ${i}u * cs + ${c}u]`)
          : range(4).map((i) => `w[wb + ${(2 - ky) * 3 + (2 - kx)}u * ts + ${4 * c + i}u * cs]`);
      lines.push(`      let g${ky}${kx} = mat4x4f(${cols.join(', ')});`);
    }
    lines.push(
      `      let s${ky} = g${ky}0 + g${ky}2;`,
      `      let q${ky}0 = g${ky}0;`,
      `      let q${ky}1 = s${ky} + g${ky}1;`,
      `      let q${ky}2 = s${ky} - g${ky}1;`,
      `      let q${ky}3 = g${ky}2;`,
    );
  }
  for (let b = 0; b < 4; b++) {
    lines.push(
      `      let r${b} = q0${b} + q2${b};`,
      `      let u0${b} = q0${b};`,
      `      let u1${b} = r${b} + q1${b};`,
      `      let u2${b} = r${b} - q1${b};`,
      `      let u3${b} = q2${b};`,
    );
  }
  return lines;
}

/** 1/(sₐ s_b), s = (1, 2, 2, 1): what undoes G' in place of G, applied once to the sums. */
const SCALE = [1, 0.5, 0.5, 1];

/**
 * conv2d_winograd.wgsl with `main_winograd` for `mode`: each invocation sums TILES 2×2 output
 * tiles × 4·BLOCKS output channels over vec4s of reduced channels. Per vec4 it loads each tile's
 * 4×4 patch and transforms it (Bᵀ d B), transforms the 9 taps of each block (G' g G'ᵀ, in the
 * kernel: the graph holds w only), and accumulates the 16 products per tile; the output
 * transform (Aᵀ M A) and the fused epilogue run once at the end.
 */
export function winogradKernel(mode: WinogradMode): string {
  const r = ROLES[mode];
  const lines = [
    '@compute @workgroup_size(64)',
    'fn main_winograd(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {',
    '  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;',
    `  let blocks = ${r.outC} / ${4 * BLOCKS}u;`,
    `  let th = (${r.dstH} + 1u) / 2u;`,
    `  let tw = (${r.dstW} + 1u) / 2u;`,
    '  let tiles = N * th * tw;',
    `  let q0 = (t / blocks) * ${TILES}u;`,
    '  if (q0 >= tiles) { return; }',
    `  let oc0 = (t % blocks) * ${4 * BLOCKS}u;`,
    `  let rs = ${r.red} / 4u;`,
    `  let rowStride = i32(${r.srcW} * rs);`,
    '  let ts = CIN * COUT / 4u;',
    '  let cs = COUT / 4u;',
    '  let zero = vec4f(0.0);',
  ];
  for (let j = 0; j < TILES; j++) {
    // Tiles past the end repeat the last one and are not stored.
    lines.push(
      `  let q${j}x = min(q0 + ${j}u, tiles - 1u);`,
      `  let y${j} = vec4i(i32((q${j}x / tw) % th * 2u) - ${r.lead[0]}) + vec4i(0, 1, 2, 3);`,
      `  let x${j} = vec4i(i32(q${j}x % tw * 2u) - ${r.lead[1]}) + vec4i(0, 1, 2, 3);`,
      `  let vy${j} = (y${j} >= vec4i(0)) & (y${j} < vec4i(i32(${r.srcH})));`,
      `  let vx${j} = (x${j} >= vec4i(0)) & (x${j} < vec4i(i32(${r.srcW})));`,
      `  let b${j} = ((i32(q${j}x / (th * tw) * ${r.srcH}) + y${j}.x) * i32(${r.srcW}) + x${j}.x) * i32(rs);`,
    );
  }
  for (let j = 0; j < TILES; j++) for (let c = 0; c < BLOCKS; c++) for (let k = 0; k < 16; k++) lines.push(`  var ${acc(j, c, k)} = zero;`);
  lines.push('  for (var rq = 0u; rq < rs; rq++) {');
  for (let j = 0; j < TILES; j++) {
    lines.push(`    let o${j} = b${j} + i32(rq);`);
    for (let y = 0; y < 4; y++) {
      const d = range(4).map((x) => `select(zero, src[u32(select(0, o${j} + ${y} * rowStride + ${x} * i32(rs), vy${j}[${y}] & vx${j}[${x}]))], vy${j}[${y}] & vx${j}[${x}])`);
      lines.push(`    let e${j}_${y} = input_step(mat4x4f(${d.join(', ')}));`);
    }
    lines.push(`    let v${j}_0 = e${j}_0 - e${j}_2;`, `    let v${j}_1 = e${j}_1 + e${j}_2;`, `    let v${j}_2 = e${j}_2 - e${j}_1;`, `    let v${j}_3 = e${j}_1 - e${j}_3;`);
  }
  lines.push(mode === 'forward' ? '    let wb = rq * COUT + oc0 / 4u;' : '    let wb = oc0 * cs + rq;');
  for (let c = 0; c < BLOCKS; c++) {
    lines.push('    {', ...weightTransform(c, mode));
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) {
        for (let j = 0; j < TILES; j++) {
          const product = mode === 'forward' ? `u${a}${b} * v${j}_${a}[${b}]` : `v${j}_${a}[${b}] * u${a}${b}`;
          lines.push(`      ${acc(j, c, 4 * a + b)} += ${product};`);
        }
      }
    }
    lines.push('    }');
  }
  lines.push('  }');
  // The output transform per tile and block, then the stores from an array in a loop: one copy
  // of the fused epilogue to compile instead of one per pixel (as in conv-wide.ts).
  const ys: string[] = [];
  for (let j = 0; j < TILES; j++) {
    for (let c = 0; c < BLOCKS; c++) {
      const m = (a: number, b: number) => `${acc(j, c, 4 * a + b)}${SCALE[a] * SCALE[b] === 1 ? '' : ` * ${SCALE[a] * SCALE[b]}`}`;
      for (let b = 0; b < 4; b++) lines.push(`  let p${j}_${c}_${b} = output_step(${range(4).map((a) => m(a, b)).join(', ')});`);
      for (let y = 0; y < 2; y++) {
        lines.push(`  let z${j}_${c}_${y} = output_step(${range(4).map((b) => `p${j}_${c}_${b}[${y}]`).join(', ')});`);
        ys.push(`z${j}_${c}_${y}[0]`, `z${j}_${c}_${y}[1]`);
      }
    }
  }
  lines.push(
    `  let ys = array<vec4f, ${ys.length}>(${ys.join(', ')});`,
    `  for (var i = 0u; i < ${ys.length}u; i++) {`,
    `    let q = q0 + i / ${4 * BLOCKS}u;`,
    '    let oy = (q / tw) % th * 2u + (i / 2u) % 2u;',
    '    let ox = q % tw * 2u + i % 2u;',
    `    if (q < tiles && oy < ${r.dstH} && ox < ${r.dstW}) {`,
    `      store(((q / (th * tw) * ${r.dstH} + oy) * ${r.dstW} + ox) * ${r.outC} + oc0 + 4u * ((i / 4u) % ${BLOCKS}u), ys[i]);`,
    '    }',
    '  }',
    '}',
    '',
  );
  return `${winogradWgsl}\n${lines.join('\n')}`;
}
