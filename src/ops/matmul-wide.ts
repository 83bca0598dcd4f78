// The wide register tiles of the matmul: an entry point `main_wide` computing `rows` × `cols`
// outputs per invocation, generated unrolled (named accumulators; an indexed array would live in
// memory and measured 3× slower on SwiftShader) and appended to shaders/matmul.wgsl's helpers. The head, accumulators and
// stores of a tile entry are shared with the outer-product tiles (./matmul-outer.ts).

/** Rows × columns per invocation of each wide tile, by variant name. */
export const WIDE_TILES = { wide32x16: [32, 16], wide64x8: [64, 8] } as const;
export type WideTile = keyof typeof WIDE_TILES;

/** Invocations per workgroup along each axis of the wide tiles (8 × 8 = 64). */
export const WIDE_GROUP = 8;

/**
 * WGSL of `main_wide` for `rows` × `cols` outputs per invocation (multiples of 4), for
 * untransposed operands whose K and N are multiples of 4 (vec4 loads along both), in
 * workgroups of `group` × `group` invocations.
 */
export function wideTileEntry(rows: number, cols: number, group = WIDE_GROUP): string {
  const rb = rows / 4;
  const cb = cols / 4;
  const lines: string[] = [
    ...tileHead('main_wide', rows, cols, group),
    '  let aBase = (p % wg_dims.BATCH_A) * M * K;',
    '  let bBase = (p % wg_dims.BATCH_B) * K * N;',
    '  // Rows past M read row M - 1 and columns past N read past the row; neither is stored.',
  ];
  for (let i = 0; i < rb; i++) lines.push(`  let ia${i} = (vec4<u32>(aBase) + min(vec4<u32>(r0 + ${4 * i}u) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(M - 1u)) * K) >> vec4<u32>(2u);`);
  lines.push('  let nb = N >> 2u;', '  var ib = (bBase + c0) >> 2u;');
  lines.push(...tileAccumulators(rows, cols));
  lines.push('  for (var kk = 0u; kk < (K >> 2u); kk++) {');
  for (let i = 0; i < rb; i++) lines.push(`    let a${i} = mat4x4<f32>(a[ia${i}.x + kk], a[ia${i}.y + kk], a[ia${i}.z + kk], a[ia${i}.w + kk]);`);
  for (let j = 0; j < cb; j++) {
    lines.push(`    let b${j} = mat4x4<f32>(b[ib + ${j}u], b[ib + ${j}u + nb], b[ib + ${j}u + 2u * nb], b[ib + ${j}u + 3u * nb]);`);
    for (let r = 0; r < rows; r++) lines.push(`    ${tileAcc(r, j)} += b${j} * a${Math.floor(r / 4)}[${r % 4}];`);
  }
  lines.push('    ib += 4u * nb;', '  }', ...tileStores(rows, cols));
  return lines.join('\n');
}

/** A tile's accumulator name: row r, column block j. */
export const tileAcc = (r: number, j: number) => `acc${r}_${j}`;

/** The opening of a tile entry `name`: its grid position (r0, c0), the sizes, the batch index p. */
export function tileHead(name: string, rows: number, cols: number, group = WIDE_GROUP): string[] {
  return [
    `@compute @workgroup_size(${group}, ${group})`,
    `fn ${name}(@builtin(global_invocation_id) gid: vec3u) {`,
    `  let r0 = gid.y * ${rows}u;`,
    `  let c0 = gid.x * ${cols}u;`,
    '  let M = wg_dims.M;',
    '  let K = wg_dims.K;',
    '  let N = wg_dims.N;',
    '  if (r0 >= M || c0 >= N) { return; }',
    '  let p = gid.z;',
  ];
}

/** The tile's zeroed vec4 accumulators. */
export function tileAccumulators(rows: number, cols: number): string[] {
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols / 4; j++) lines.push(`  var ${tileAcc(r, j)} = vec4<f32>(0.0);`);
  return lines;
}

/**
 * The tile's stores and the entry's end: from an array in a loop, so the epilogue inside
 * `store_row` is compiled once, not once per accumulator.
 */
export function tileStores(rows: number, cols: number): string[] {
  const cb = cols / 4;
  const all: string[] = [];
  for (let r = 0; r < rows; r++) for (let j = 0; j < cb; j++) all.push(tileAcc(r, j));
  return [
    '  let oBase = p * M * N;',
    `  let acc = array<vec4<f32>, ${all.length}>(${all.join(', ')});`,
    `  for (var i = 0u; i < ${all.length}u; i++) {`,
    `    store_row(oBase, r0 + i / ${cb}u, c0 + 4u * (i % ${cb}u), acc[i]);`,
    '  }',
    '}',
    '',
  ];
}
