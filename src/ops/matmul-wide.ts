// The wide register tiles of the matmul: an entry point `main_wide` computing `rows` × `cols`
// outputs per invocation, generated unrolled (named accumulators; an indexed array would live in
// memory and measured 3× slower on SwiftShader) and appended to shaders/matmul.wgsl's helpers.

/** Rows × columns per invocation of each wide tile, by variant name. */
export const WIDE_TILES = { wide32x16: [32, 16], wide64x8: [64, 8] } as const;
export type WideTile = keyof typeof WIDE_TILES;

/** Invocations per workgroup along each axis of the wide tiles (8 × 8 = 64). */
export const WIDE_GROUP = 8;

/**
 * WGSL of `main_wide` for `rows` × `cols` outputs per invocation (multiples of 4), for
 * untransposed operands whose K and N are multiples of 4 (vec4 loads along both).
 */
export function wideTileEntry(rows: number, cols: number): string {
  const rb = rows / 4;
  const cb = cols / 4;
  const acc = (r: number, j: number) => `acc${r}_${j}`;
  const lines: string[] = [
    `@compute @workgroup_size(${WIDE_GROUP}, ${WIDE_GROUP})`,
    'fn main_wide(@builtin(global_invocation_id) gid: vec3u) {',
    `  let r0 = gid.y * ${rows}u;`,
    `  let c0 = gid.x * ${cols}u;`,
    '  let M = wg_dims.M;',
    '  let K = wg_dims.K;',
    '  let N = wg_dims.N;',
    '  if (r0 >= M || c0 >= N) { return; }',
    '  let p = gid.z;',
    '  let aBase = (p % wg_dims.BATCH_A) * M * K;',
    '  let bBase = (p % wg_dims.BATCH_B) * K * N;',
    '  // Rows past M read row M - 1 and columns past N read past the row; neither is stored.',
  ];
  for (let i = 0; i < rb; i++) lines.push(`  let ia${i} = (vec4<u32>(aBase) + min(vec4<u32>(r0 + ${4 * i}u) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(M - 1u)) * K) >> vec4<u32>(2u);`);
  lines.push('  let nb = N >> 2u;', '  var ib = (bBase + c0) >> 2u;');
  for (let r = 0; r < rows; r++) for (let j = 0; j < cb; j++) lines.push(`  var ${acc(r, j)} = vec4<f32>(0.0);`);
  lines.push('  for (var kk = 0u; kk < (K >> 2u); kk++) {');
  for (let i = 0; i < rb; i++) lines.push(`    let a${i} = mat4x4<f32>(a[ia${i}.x + kk], a[ia${i}.y + kk], a[ia${i}.z + kk], a[ia${i}.w + kk]);`);
  for (let j = 0; j < cb; j++) {
    lines.push(`    let b${j} = mat4x4<f32>(b[ib + ${j}u], b[ib + ${j}u + nb], b[ib + ${j}u + 2u * nb], b[ib + ${j}u + 3u * nb]);`);
    for (let r = 0; r < rows; r++) lines.push(`    ${acc(r, j)} += b${j} * a${Math.floor(r / 4)}[${r % 4}];`);
  }
  // Stored from an array in a loop: one copy of the epilogue to compile, not one per output.
  const all: string[] = [];
  for (let r = 0; r < rows; r++) for (let j = 0; j < cb; j++) all.push(acc(r, j));
  lines.push('    ib += 4u * nb;', '  }', '  let oBase = p * M * N;');
  lines.push(`  let acc = array<vec4<f32>, ${all.length}>(${all.join(', ')});`);
  lines.push(`  for (var i = 0u; i < ${all.length}u; i++) {`, `    store_row(oBase, r0 + i / ${cb}u, c0 + 4u * (i % ${cb}u), acc[i]);`, '  }', '}', '');
  return lines.join('\n');
}
