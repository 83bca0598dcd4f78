// The quick-to-compile matmul (shaders/matmul_quick.wgsl): the first-tier variant every matmul
// launch offers for tiered compilation, one pipeline per epilogue whatever the transposes,
// alignment and sizes, since they are all runtime strides and dims.

import matmulQuickWgsl from '../../shaders/matmul_quick.wgsl?raw';
import type { GpuLaunch, RuntimeSize } from '../graph/ir';
import type { MatmulAttrs } from './matmul';

/** The words of shaders/matmul_quick.wgsl's `wg_dims`: sizes, batch reuse and the operands' strides. */
function quickMatmulDims({ m, k, n, batch, batchA, batchB, transA, transB }: MatmulAttrs): number[] {
  const [aRow, aK] = transA ? [1, m] : [k, 1];
  const [bK, bCol] = transB ? [1, k] : [n, 1];
  return [m, k, n, batch, batchA, batchB, aRow, aK, bK, bCol];
}

/** The quick matmul for `attrs`, its epilogue reading `epilogueSizes` as the fast launch's does. */
export function quickMatmulLaunch(attrs: MatmulAttrs, epilogueSizes: readonly RuntimeSize[]): GpuLaunch {
  return {
    code: matmulQuickWgsl,
    entryPoint: 'main_quick',
    dims: quickMatmulDims(attrs),
    workgroups: [Math.ceil(attrs.n / 32), Math.ceil(attrs.m / 32), attrs.batch],
    epilogueSizes,
  };
}
