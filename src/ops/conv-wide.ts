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

/** Row r's operand `a{i}[c]`: component c of row group i (4 rows per group). */
const groupRow = (r: number) => `a${Math.floor(r / 4)}[${r % 4}]`;

/** Per accumulator one vec4 FMA: `product(j, row(r))` of column block j, `before(j)` ahead of block j. */
function fmas(rows: number, cols: number, product: (j: number, a: string) => string, indent: string, row = groupRow, before = (_j: number): string[] => []): string[] {
  const lines: string[] = [];
  for (let j = 0; j < cols / 4; j++) {
    lines.push(...before(j));
    for (let r = 0; r < rows; r++) lines.push(`${indent}${acc(r, j)} += ${product(j, row(r))};`);
  }
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
 * How a flattened tap loop walks the image it reads: the tile's rows (`mr{i}`) as pixels of a
 * `rowsH` × `rowsW` image, each window's origin in the read image (`wy`, `wx`: row and column
 * expressions of `q`, the row's pixel in its image), the read image's height, width and
 * channels, the group's channel offset, and whether a tap moves the window forward (`+`, the
 * forward conv) or back (`-`, the input gradient at unit stride).
 */
interface TapWalk {
  readonly rowsH: string;
  readonly rowsW: string;
  readonly wy: (q: string) => string;
  readonly wx: (q: string) => string;
  readonly h: string;
  readonly w: string;
  readonly c: string;
  readonly groupOffset: string;
  readonly sign: '+' | '-';
}

const FORWARD_WALK: TapWalk = {
  rowsH: 'OH', rowsW: 'OW', wy: (q) => `vec4i((${q} / OW) % OH * SH) - i32(PT)`, wx: (q) => `vec4i(${q} % OW * SW) - i32(PL)`,
  h: 'H', w: 'W', c: 'CIN', groupOffset: 'g * CIN_G', sign: '+',
};
const INPUT_GRAD_WALK: TapWalk = {
  rowsH: 'H', rowsW: 'W', wy: (q) => `vec4i((${q} / W) % H) + i32(PT)`, wx: (q) => `vec4i(${q} % W) + i32(PL)`,
  h: 'OH', w: 'OW', c: 'COUT', groupOffset: 'g * COUT_G', sign: '-',
};

/**
 * The window origins of the tile's row groups, then the head of one loop over (tap, channel
 * step) of `depth` steps a tap: `kk`, `tap`, and per row group its padding mask `v{i}` and
 * offset `p{i}` (in vec4s where `vec4`) of the tap's pixel in the read image. One loop, not a
 * loop over channels inside loops over the taps: SwiftShader ran W4's second conv (14×14,
 * 32 → 64, b256) 10–15% faster so, though each step recomputes its tap's offsets and masks (a
 * few integer ops per row group against the tile's rows × cols multiply-adds). The loop's
 * body and closing brace are the caller's.
 */
function tapLoopHead(rows: number, walk: TapWalk, depth: string, vec4: boolean): string[] {
  const { h, w, c, sign } = walk;
  const lines: string[] = [];
  for (let i = 0; i < rows / 4; i++) {
    lines.push(
      `  let wy${i} = ${walk.wy(`mr${i}`)};`,
      `  let wx${i} = ${walk.wx(`mr${i}`)};`,
      `  let pb${i} = vec4i(mr${i} / (${walk.rowsW} * ${walk.rowsH}) * ${h} * ${w} * ${c}) + (wy${i} * i32(${w}) + wx${i}) * i32(${c}) + i32(${walk.groupOffset});`,
    );
  }
  lines.push(`  for (var tk = 0u; tk < KH * KW * ${depth}; tk++) {`);
  lines.push(`    let kk = tk % ${depth};`, `    let tap = tk / ${depth};`, '    let ty = i32(tap / KW * DH);', '    let tx = i32(tap % KW * DW);', `    let toff = (ty * i32(${w}) + tx) * i32(${c});`);
  for (let i = 0; i < rows / 4; i++) {
    const at = `select(vec4i(0), pb${i} ${sign} toff, v${i})`;
    lines.push(
      `    let y${i} = wy${i} ${sign} ty;`,
      `    let x${i} = wx${i} ${sign} tx;`,
      `    let v${i} = (y${i} >= vec4i(0)) & (y${i} < vec4i(i32(${h}))) & (x${i} >= vec4i(0)) & (x${i} < vec4i(i32(${w})));`,
      vec4 ? `    let p${i} = vec4u(${at}) >> vec4u(2u);` : `    let p${i} = ${at};`,
    );
  }
  return lines;
}

/**
 * conv2d.wgsl's `main_wide`: `rows` output pixels × `cols` output channels per invocation, for
 * COUT_G % cols = 0. Each step of the reduction takes one tap's window offsets and padding
 * masks per row group, then reads its channels as vec4s (`vecK`: CIN_G % 4 = 0), 4 deep per
 * accumulator update, or one at a time (first layers on 1–3 channels).
 */
export function convForwardWide(rows: number, cols: number, vecK: boolean): string {
  const lines = tileHeader('main_wide', rows, cols, 'N * OH * OW', 'COUT_G');
  const depth = vecK ? '(CIN_G / 4u)' : 'CIN_G';
  lines.push('  let coBase = g * COUT_G + c0;', '  let ws = COUT / 4u;');
  lines.push(...tapLoopHead(rows, FORWARD_WALK, depth, vecK));
  if (vecK) {
    lines.push('    let wo = ((tap * CIN_G * COUT + coBase) >> 2u) + kk * COUT;', ...maskedRows(rows, 'x'));
    for (let j = 0; j < cols / 4; j++) lines.push(`    let b${j} = mat4x4f(w[wo + ${j}u], w[wo + ${j}u + ws], w[wo + ${j}u + 2u * ws], w[wo + ${j}u + 3u * ws]);`);
  } else {
    lines.push('    let wo = ((tap * CIN_G * COUT + coBase) >> 2u) + kk * ws;');
    for (let i = 0; i < rows / 4; i++) {
      const xs = ['x', 'y', 'z', 'w'].map((c) => `select(0.0, xs(p${i}.${c} + i32(kk)), v${i}.${c})`);
      lines.push(`    let a${i} = vec4f(${xs.join(', ')});`);
    }
    for (let j = 0; j < cols / 4; j++) lines.push(`    let b${j} = w[wo + ${j}u];`);
  }
  lines.push(...fmas(rows, cols, (j, a) => `b${j} * ${a}`, '    '), '  }');
  lines.push(...stores(rows, cols, (r) => `m0 + ${r}`, (r) => `m0 + ${r} < rows`, 'coBase'), '}', '');
  return lines.join('\n');
}

/**
 * conv2d_transpose.wgsl's `main_wide`: `rows` input pixels × `cols` input channels per
 * invocation (CIN_G % cols = 0, COUT_G % 4 = 0): per tap the output each pixel is reached from
 * (masked where the stride skips it), then vec4s of dy along the output channels, dotted with w.
 */
export function convInputGradWide(rows: number, cols: number, unitStride = false): string {
  if (unitStride) return convInputGradWideUnitStride(rows, cols);
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
 * convInputGradWide for strides of 1: every tap reaches each pixel from one output (or from
 * none, past the edge), so the reduction is the forward's one loop over (tap, channel step),
 * with the window's offsets mirrored (no stride masks, no per-tap skip test). On W4's second
 * conv (b256) the 32×16 tile ran 657 ms against 734 for the nested loops, level with the matmul.
 */
function convInputGradWideUnitStride(rows: number, cols: number): string {
  const lines = tileHeader('main_wide', rows, cols, 'N * H * W', 'CIN_G');
  lines.push('  let rs = COUT / 4u;', ...tapLoopHead(rows, INPUT_GRAD_WALK, '(COUT_G / 4u)', true));
  lines.push('    let r = (((tap * CIN_G + c0) * COUT + g * COUT_G) >> 2u) + kk;', ...maskedRows(rows, 'dy'));
  for (let j = 0; j < cols / 4; j++) {
    const ws = range(4).map((c) => `w[r + ${4 * j + c}u * rs]`);
    lines.push(`    let b${j} = mat4x4f(${ws.join(', ')});`);
  }
  lines.push(...fmas(rows, cols, (j, a) => `${a} * b${j}`, '    '), '  }');
  lines.push('  let ciBase = g * CIN_G + c0;', ...stores(rows, cols, (r) => `m0 + ${r}`, (r) => `m0 + ${r} < rows`, 'ciBase'), '}', '');
  return lines.join('\n');
}

/**
 * How a weight-gradient tile reads x: `oneTap` (CIN_G % rows = 0: every row of the tile is one
 * tap, so one padding test and offset per pixel serve all row groups), `vec4` (CIN_G % 4 = 0:
 * one tap per group of 4 rows, read as a vec4) or `scalar` (any CIN_G: one tap per row, read
 * one float at a time, for first layers on 1–3 channels).
 */
export type WeightGradReads = 'oneTap' | 'vec4' | 'scalar';

/**
 * conv2d_weight_grad.wgsl's `main_wide`: `rows` weight rows (taps × input channels) × `cols`
 * output channels per invocation (COUT_G % cols = 0; rows a multiple of 4 unless `scalar`) over
 * one chunk of pixels, as outer products like ./matmul-outer.ts: 4 pixels per step, so each
 * accumulator takes a mat4 × vec4 (4 multiply-adds) per visit (the tiles spill on SwiftShader,
 * a visit is a load and a store). The 4 pixels' coordinates are divided out once per step;
 * pixels past the chunk are masked out of both operands.
 */
export function convWeightGradWide(rows: number, cols: number, reads: WeightGradReads): string {
  const groups = reads === 'scalar' ? rows : rows / 4;
  const lastRow = reads === 'scalar' ? 'rows - 1u' : 'rows - 4u';
  const taps = reads === 'oneTap' ? ['  let k = tapOf(r0, g);'] : range(groups).map((i) => `  let k${i} = tapOf(min(r0 + ${reads === 'scalar' ? i : 4 * i}u, ${lastRow}), g);`);
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
    '  // Rows past the end read the last one again and are not stored.',
    ...taps,
    ...range(rows * (cols / 4)).map((k) => `  var ${acc(Math.floor(k / (cols / 4)), k % (cols / 4))} = vec4f(0.0);`),
    '  let zero = vec4f(0.0);',
    '  let begin = s * CHUNK;',
    '  let end = min(begin + CHUNK, N * OH * OW);',
    '  for (var p = begin; p < end; p += 4u) {',
    '    let q4 = vec4u(p) + vec4u(0u, 1u, 2u, 3u);',
    '    let live = q4 < vec4u(end);',
    '    let q = min(q4, vec4u(end - 1u));',
    '    let iy = vec4i(q / OW % OH * SH);',
    '    let ix = vec4i(q % OW * SW);',
    '    let nb = vec4i(q / (OW * OH) * (H * W * CIN));',
    '    let o = (q * COUT + coBase) >> vec4u(2u);',
  ];
  // Tap `k`'s rows and columns at the 4 pixels, their padding mask `v` and x offsets `xo`
  // (vec4 indices, or float indices for `scalar`).
  const masked = (k: string, v: string) => [
    `    let ty${v} = iy + ${k}.x;`,
    `    let tx${v} = ix + ${k}.y;`,
    `    let v${v} = live & (ty${v} >= vec4i(0)) & (tx${v} >= vec4i(0)) & (ty${v} < vec4i(i32(H))) & (tx${v} < vec4i(i32(W)));`,
    reads === 'scalar'
      ? `    let xo${v} = select(vec4i(0), nb + (ty${v} * i32(W) + tx${v}) * i32(CIN) + ${k}.z, v${v});`
      : `    let xo${v} = vec4u(select(vec4i(0), nb + (ty${v} * i32(W) + tx${v}) * i32(CIN) + ${k}.z, v${v})) >> vec4u(2u);`,
  ];
  const pixels = ['x', 'y', 'z', 'w'];
  // Row group i's 4 channels at the 4 pixels, transposed so that a{i}[c] holds channel c's 4 pixels.
  const group = (i: number, v: string, at: string) => `    let a${i} = transpose(mat4x4f(${pixels.map((c) => `select(zero, x[xo${v}.${c}${at}], v${v}.${c})`).join(', ')}));`;
  if (reads === 'oneTap') lines.push(...masked('k', ''), ...range(groups).map((i) => group(i, '', i ? ` + ${i}u` : '')));
  else if (reads === 'vec4') for (let i = 0; i < groups; i++) lines.push(...masked(`k${i}`, `${i}`), group(i, `${i}`, ''));
  else for (let r = 0; r < groups; r++) lines.push(...masked(`k${r}`, `${r}`), `    let a${r} = vec4f(${pixels.map((c) => `select(0.0, xs(xo${r}.${c}), v${r}.${c})`).join(', ')});`);
  const dyBlock = (j: number) => [`    let b${j} = mat4x4f(${pixels.map((c) => `select(zero, dy[o.${c} + ${j}u], live.${c})`).join(', ')});`];
  lines.push(...fmas(rows, cols, (j, a) => `b${j} * ${a}`, '    ', reads === 'scalar' ? (r) => `a${r}` : groupRow, dyBlock), '  }');
  lines.push('  let slab = s * rows;', ...stores(rows, cols, (r) => `slab + r0 + ${r}`, (r) => `r0 + ${r} < rows`, 'coBase'), '}', '');
  return lines.join('\n');
}
