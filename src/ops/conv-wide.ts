// Wide register tiles of the three convolution kernels as implicit GEMMs, generated unrolled like
// matmul-wide.ts (named accumulators): a `main_wide` entry appended to conv2d.wgsl (rows = output
// pixels), conv2d_transpose.wgsl (rows = input pixels) or conv2d_weight_grad.wgsl (rows = taps).

/** Rows × columns per invocation of each wide tile, by variant name. */
export const CONV_WIDE_TILES = { wide32x16: [32, 16], wide16x32: [16, 32] } as const;
export type ConvWideTile = keyof typeof CONV_WIDE_TILES;

const acc = (r: number, j: number) => `acc${r}_${j}`;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The invocation's tile: `rowsExpr` rows in tiles of `rows`, columns of one group in tiles of `cols`. */
function tileHeader(name: string, rows: number, cols: number, rowsExpr: string, colsPerGroup: string): string[] {
  return [
    '@compute @workgroup_size(64)',
    `fn ${name}(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {`,
    '  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;',
    `  let colTiles = ${colsPerGroup} / ${cols}u;`,
    `  let rows = ${rowsExpr};`,
    `  let m0 = (t / (GROUPS * colTiles)) * ${rows}u;`,
    '  if (m0 >= rows) { return; }',
    '  let colTile = t % (GROUPS * colTiles);',
    '  let g = colTile / colTiles;',
    `  let c0 = (colTile % colTiles) * ${cols}u;`,
    '  // Rows past the end compute the last row again and are not stored.',
    ...range(rows / 4).map((i) => `  let mr${i} = min(vec4u(m0 + ${4 * i}u) + vec4u(0u, 1u, 2u, 3u), vec4u(rows - 1u));`),
    ...range(rows * (cols / 4)).map((k) => `  var ${acc(Math.floor(k / (cols / 4)), k % (cols / 4))} = vec4f(0.0);`),
    '  let zero = vec4f(0.0);',
  ];
}

/** `a{i}`: the 4 vec4 rows of row group i, zero where its mask `v{i}` is false (padding). */
function maskedRows(rows: number, buffer: string): string[] {
  return range(rows / 4).map((i) => {
    const cols = ['x', 'y', 'z', 'w'].map((c) => `select(zero, ${buffer}[p${i}.${c} + kk], v${i}.${c})`);
    return `      let a${i} = mat4x4f(${cols.join(', ')});`;
  });
}

/** Per accumulator one vec4 FMA: `product(j, row vector or scalar)` of column block j. */
function fmas(rows: number, cols: number, product: (j: number, a: string) => string, indent: string): string[] {
  const lines: string[] = [];
  for (let j = 0; j < cols / 4; j++) for (let r = 0; r < rows; r++) lines.push(`${indent}${acc(r, j)} += ${product(j, `a${Math.floor(r / 4)}[${r % 4}]`)};`);
  return lines;
}

/**
 * The tile's stores, from an array in a loop: one copy of `store` (and of the fused epilogue
 * inside it) to compile instead of one per accumulator, which on SwiftShader cut a wide
 * kernel's compile several times over (as in matmul-wide.ts). `row(r)` and `guard(r)` take
 * the u32 row-in-tile expression.
 */
function stores(rows: number, cols: number, row: (r: string) => string, guard: (r: string) => string, col: string): string[] {
  const cb = cols / 4;
  const all = range(rows * cb).map((k) => acc(Math.floor(k / cb), k % cb));
  return [
    `  let acc = array<vec4f, ${all.length}>(${all.join(', ')});`,
    `  for (var i = 0u; i < ${all.length}u; i++) {`,
    `    let r = i / ${cb}u;`,
    `    let j = 4u * (i % ${cb}u);`,
    `    if (${guard('r')}) { store(${row('r')}, ${col} + j, c0 + j, acc[i]); }`,
    '  }',
  ];
}

/**
 * conv2d.wgsl's `main_wide`: `rows` output pixels × `cols` output channels per invocation, for
 * COUT_G % cols = 0. Each tap's window offsets and padding masks are computed once per row
 * group, then its channels are read as vec4s (`vecK`: CIN_G % 4 = 0), 4 deep per accumulator
 * update, or one at a time (first layers on 1–3 channels).
 */
export function convForwardWide(rows: number, cols: number, vecK: boolean): string {
  const lines = tileHeader('main_wide', rows, cols, 'N * OH * OW', 'COUT_G');
  for (let i = 0; i < rows / 4; i++) {
    lines.push(
      `  let iy${i} = vec4i((mr${i} / OW) % OH * SH) - i32(PT);`,
      `  let ix${i} = vec4i(mr${i} % OW * SW) - i32(PL);`,
      `  let pb${i} = vec4i(mr${i} / (OW * OH) * H * W * CIN) + (iy${i} * i32(W) + ix${i}) * i32(CIN) + i32(g * CIN_G);`,
    );
  }
  lines.push('  let coBase = g * COUT_G + c0;', '  let ws = COUT / 4u;', '  for (var ky = 0u; ky < KH; ky++) {', '    for (var kx = 0u; kx < KW; kx++) {');
  lines.push('      let ty = i32(ky * DH);', '      let tx = i32(kx * DW);', '      let toff = (ty * i32(W) + tx) * i32(CIN);');
  for (let i = 0; i < rows / 4; i++) {
    const at = `select(vec4i(0), pb${i} + toff, v${i})`;
    lines.push(
      `      let y${i} = iy${i} + ty;`,
      `      let x${i} = ix${i} + tx;`,
      `      let v${i} = (y${i} >= vec4i(0)) & (y${i} < vec4i(i32(H))) & (x${i} >= vec4i(0)) & (x${i} < vec4i(i32(W)));`,
      vecK ? `      let p${i} = vec4u(${at}) >> vec4u(2u);` : `      let p${i} = ${at};`,
    );
  }
  lines.push('      var wo = (((ky * KW + kx) * CIN_G) * COUT + coBase) >> 2u;');
  if (vecK) {
    lines.push('      for (var kk = 0u; kk < CIN_G / 4u; kk++) {', ...maskedRows(rows, 'x'));
    for (let j = 0; j < cols / 4; j++) lines.push(`        let b${j} = mat4x4f(w[wo + ${j}u], w[wo + ${j}u + ws], w[wo + ${j}u + 2u * ws], w[wo + ${j}u + 3u * ws]);`);
    lines.push(...fmas(rows, cols, (j, a) => `b${j} * ${a}`, '        '), '        wo += COUT;', '      }', '    }', '  }');
  } else {
    lines.push('      for (var kk = 0; kk < i32(CIN_G); kk++) {');
    for (let i = 0; i < rows / 4; i++) {
      const xs = ['x', 'y', 'z', 'w'].map((c) => `select(0.0, xs(p${i}.${c} + kk), v${i}.${c})`);
      lines.push(`        let a${i} = vec4f(${xs.join(', ')});`);
    }
    for (let j = 0; j < cols / 4; j++) lines.push(`        let b${j} = w[wo + ${j}u];`);
    lines.push(...fmas(rows, cols, (j, a) => `b${j} * ${a}`, '        '), '        wo += ws;', '      }', '    }', '  }');
  }
  lines.push(...stores(rows, cols, (r) => `m0 + ${r}`, (r) => `m0 + ${r} < rows`, 'coBase'), '}', '');
  return lines.join('\n');
}

/**
 * conv2d_transpose.wgsl's `main_wide`: `rows` input pixels × `cols` input channels per
 * invocation (CIN_G % cols = 0, COUT_G % 4 = 0): per tap the output each pixel is reached from
 * (masked where the stride skips it), then vec4s of dy along the output channels, dotted with w.
 */
export function convInputGradWide(rows: number, cols: number): string {
  const lines = tileHeader('main_wide', rows, cols, 'N * H * W', 'CIN_G');
  for (let i = 0; i < rows / 4; i++) {
    lines.push(
      `  let qy${i} = vec4i((mr${i} / W) % H) + i32(PT);`,
      `  let qx${i} = vec4i(mr${i} % W) + i32(PL);`,
      `  let nb${i} = vec4i(mr${i} / (W * H) * OH * OW * COUT) + i32(g * COUT_G);`,
    );
  }
  lines.push('  let rs = COUT / 4u;', '  for (var ky = 0u; ky < KH; ky++) {', '    for (var kx = 0u; kx < KW; kx++) {');
  const any: string[] = [];
  for (let i = 0; i < rows / 4; i++) {
    lines.push(
      `      let ty${i} = qy${i} - i32(ky * DH);`,
      `      let tx${i} = qx${i} - i32(kx * DW);`,
      `      let oy${i} = ty${i} / i32(SH);`,
      `      let ox${i} = tx${i} / i32(SW);`,
      `      let v${i} = (ty${i} >= vec4i(0)) & (tx${i} >= vec4i(0)) & (ty${i} % i32(SH) == vec4i(0)) & (tx${i} % i32(SW) == vec4i(0)) & (oy${i} < vec4i(i32(OH))) & (ox${i} < vec4i(i32(OW)));`,
      `      let p${i} = vec4u(select(vec4i(0), nb${i} + (oy${i} * i32(OW) + ox${i}) * i32(COUT), v${i})) >> vec4u(2u);`,
    );
    any.push(`any(v${i})`);
  }
  lines.push(`      if (!(${any.join(' || ')})) { continue; }`);
  lines.push('      var r = (((ky * KW + kx) * CIN_G + c0) * COUT + g * COUT_G) >> 2u;', '      for (var kk = 0u; kk < COUT_G / 4u; kk++) {');
  lines.push(...maskedRows(rows, 'dy'));
  for (let j = 0; j < cols / 4; j++) {
    const ws = range(4).map((c) => `w[r + ${4 * j + c}u * rs]`);
    lines.push(`        let b${j} = mat4x4f(${ws.join(', ')});`);
  }
  lines.push(...fmas(rows, cols, (j, a) => `${a} * b${j}`, '        '), '        r++;', '      }', '    }', '  }');
  lines.push('  let ciBase = g * CIN_G + c0;', ...stores(rows, cols, (r) => `m0 + ${r}`, (r) => `m0 + ${r} < rows`, 'ciBase'), '}', '');
  return lines.join('\n');
}

/**
 * conv2d_weight_grad.wgsl's `main_wide`: `rows` weight rows (taps × input channels, 4
 * consecutive channels of one tap per row group) × `cols` output channels per invocation over
 * one chunk of pixels (CIN_G % 4 = 0, COUT_G % cols = 0); per pixel a vec4 of x per row group
 * and of dy per column block. `oneTap` (CIN_G % rows = 0): all rows of a tile are one tap, so
 * each pixel's padding test and offset serve every row group.
 */
export function convWeightGradWide(rows: number, cols: number, oneTap: boolean): string {
  const taps = oneTap ? ['  let k = tapOf(r0, g);'] : range(rows / 4).map((i) => `  let k${i} = tapOf(min(r0 + ${4 * i}u, rows - 4u), g);`);
  const lines = [
    '@compute @workgroup_size(64)',
    'fn main_wide(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {',
    '  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;',
    '  let rows = KH * KW * CIN_G;',
    `  let rowTiles = (rows + ${rows - 1}u) / ${rows}u;`,
    `  let colTiles = COUT_G / ${cols}u;`,
    '  let colTile = t % (GROUPS * colTiles);',
    '  let rest = t / (GROUPS * colTiles);',
    `  let r0 = (rest % rowTiles) * ${rows}u;`,
    '  let s = rest / rowTiles;',
    '  if (s >= SPLIT) { return; }',
    '  let g = colTile / colTiles;',
    `  let c0 = (colTile % colTiles) * ${cols}u;`,
    '  let coBase = g * COUT_G + c0;',
    '  // Row groups past the end read the last one again and are not stored.',
    ...taps,
    ...range(rows * (cols / 4)).map((k) => `  var ${acc(Math.floor(k / (cols / 4)), k % (cols / 4))} = vec4f(0.0);`),
    '  let zero = vec4f(0.0);',
    '  let pixels = N * OH * OW;',
    '  let begin = s * CHUNK;',
    '  let end = min(begin + CHUNK, pixels);',
    '  var ox = begin % OW;',
    '  var oy = (begin / OW) % OH;',
    '  var base = i32((begin / (OW * OH)) * H * W * CIN);',
    '  var o = (begin * COUT + coBase) / 4u;',
    '  let oStep = COUT / 4u;',
    '  for (var p = begin; p < end; p++) {',
    '    let iy = i32(oy * SH);',
    '    let ix = i32(ox * SW);',
  ];
  // Tap `k`'s input row and column at this pixel, its padding mask `v` and vec4 offset `xo`.
  const masked = (k: string, v: string) => [
    `    let ty${v} = iy + ${k}.x;`,
    `    let tx${v} = ix + ${k}.y;`,
    `    let v${v} = ty${v} >= 0 && tx${v} >= 0 && ty${v} < i32(H) && tx${v} < i32(W);`,
    `    let xo${v} = u32(select(0, base + (ty${v} * i32(W) + tx${v}) * i32(CIN) + ${k}.z, v${v})) >> 2u;`,
  ];
  if (oneTap) lines.push(...masked('k', ''), ...range(rows / 4).map((i) => `    let a${i} = select(zero, x[xo + ${i}u], v);`));
  else for (let i = 0; i < rows / 4; i++) lines.push(...masked(`k${i}`, `${i}`), `    let a${i} = select(zero, x[xo${i}], v${i});`);
  for (let j = 0; j < cols / 4; j++) lines.push(`    let b${j} = dy[o + ${j}u];`);
  lines.push(...fmas(rows, cols, (j, a) => `b${j} * ${a}`, '    '));
  lines.push('    o += oStep;', '    ox++;', '    if (ox == OW) {', '      ox = 0u;', '      oy++;', '      if (oy == OH) {', '        oy = 0u;', '        base += i32(H * W * CIN);', '      }', '    }', '  }');
  lines.push('  let slab = s * rows;', ...stores(rows, cols, (r) => `slab + r0 + ${r}`, (r) => `r0 + ${r} < rows`, 'coBase'), '}', '');
  return lines.join('\n');
}
