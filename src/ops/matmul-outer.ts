// The outer-product register tiles of the matmul for a transposed A (weight gradients xᵀ·dy): A
// stored [K, M] and B [K, N] are both contiguous along the output's rows and columns, so each k
// is one vec4 per 4 rows of A and per 4 columns of B and rows × cols multiply-adds. Generated
// unrolled like ./matmul-wide.ts and appended to shaders/matmul.wgsl's helpers; matmulLaunch runs
// them where a wide tile is chosen but A is transposed.

import matmulWgsl from '../../shaders/matmul.wgsl?raw';
import type { GpuLaunch } from '../graph/ir';
import type { MatmulAttrs } from './matmul';
import { tileAccumulators, tileAcc, tileHead, tileStores, WIDE_GROUP } from './matmul-wide';

/** Rows × columns of the output per invocation. */
export const OUTER_TILE = [32, 16] as const;

/** Whether the outer tiles can compute `attrs`: A transposed, B not, M and N multiples of 4 (vec4 loads along both). */
export function outerTileFits(attrs: MatmulAttrs): boolean {
  return attrs.transA && !attrs.transB && attrs.m % 4 === 0 && attrs.n % 4 === 0;
}

/** WGSL of `main_outer` for `rows` × `cols` outputs per invocation (multiples of 4); `kTail`: a K that is not a multiple of 4. */
export function outerTileEntry(rows: number, cols: number, kTail: boolean): string {
  const rb = rows / 4;
  const cb = cols / 4;
  const lines: string[] = [
    ...tileHead('main_outer', rows, cols),
    '  let mb = M >> 2u;',
    '  let nb = N >> 2u;',
    '  // vec4 indices of the k = 0 rows; blocks past M or N read the last one and are not stored.',
    '  var ia = (p % wg_dims.BATCH_A) * K * mb;',
    '  var ib = (p % wg_dims.BATCH_B) * K * nb;',
  ];
  for (let i = 0; i < rb; i++) lines.push(`  let oa${i} = min((r0 >> 2u) + ${i}u, mb - 1u);`);
  for (let j = 0; j < cb; j++) lines.push(`  let ob${j} = min((c0 >> 2u) + ${j}u, nb - 1u);`);
  lines.push(...tileAccumulators(rows, cols));
  // Four k at a time, so each accumulator takes four multiply-adds per visit (the tiles spill
  // on SwiftShader, and a visit is a load and a store); the last K % 4 one at a time.
  lines.push('  for (var kk = 0u; kk < (K >> 2u); kk++) {');
  for (let i = 0; i < rb; i++) {
    lines.push(`    let a${i} = transpose(mat4x4<f32>(a[ia + oa${i}], a[ia + mb + oa${i}], a[ia + 2u * mb + oa${i}], a[ia + 3u * mb + oa${i}]));`);
  }
  for (let j = 0; j < cb; j++) {
    lines.push(`    let b${j} = mat4x4<f32>(b[ib + ob${j}], b[ib + nb + ob${j}], b[ib + 2u * nb + ob${j}], b[ib + 3u * nb + ob${j}]);`);
    for (let r = 0; r < rows; r++) lines.push(`    ${tileAcc(r, j)} += b${j} * a${Math.floor(r / 4)}[${r % 4}];`);
  }
  lines.push('    ia += 4u * mb;', '    ib += 4u * nb;', '  }');
  if (kTail) {
    lines.push('  for (var k = K & ~3u; k < K; k++) {');
    for (let i = 0; i < rb; i++) lines.push(`    let a${i} = a[ia + oa${i}];`);
    for (let j = 0; j < cb; j++) {
      lines.push(`    let b${j} = b[ib + ob${j}];`);
      for (let r = 0; r < rows; r++) lines.push(`    ${tileAcc(r, j)} += b${j} * a${Math.floor(r / 4)}[${r % 4}];`);
    }
    lines.push('    ia += mb;', '    ib += nb;', '  }');
  }
  lines.push(...tileStores(rows, cols));
  return lines.join('\n');
}

/**
 * The launch of the outer tiles for `attrs` (which must fit, see outerTileFits) with the
 * matmul's override `constants` and runtime `dims` (its sizes): one invocation per OUTER_TILE of every output matrix.
 */
export function outerTileLaunch(attrs: MatmulAttrs, constants: GpuLaunch['constants'], dims: readonly number[]): GpuLaunch {
  const [rows, cols] = OUTER_TILE;
  const code = matmulWgsl + outerTileEntry(rows, cols, attrs.k % 4 !== 0);
  const workgroups: [number, number, number] = [Math.ceil(attrs.n / (cols * WIDE_GROUP)), Math.ceil(attrs.m / (rows * WIDE_GROUP)), attrs.batch];
  return { code, entryPoint: 'main_outer', constants, dims, workgroups };
}
