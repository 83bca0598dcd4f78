// Lowering of scheduled kernels to WebGPU launches: generated WGSL for fused kernels, the
// KernelDef's shader (its shaders/lib includes resolved, its epilogue spliced in) for
// hand-written ones. Pure (no device), so tests can check every launch's bindings against its
// WGSL without a GPU.

import { generateFused, resolveIncludes, spliceEpilogue } from '../../graph/codegen';
import type { GpuLaunch, GpuTarget, LazyNode } from '../../graph/ir';
import type { Kernel } from '../../graph/schedule';
import { forcedVariant } from './calibrate';

/** A kernel ready to encode: its final WGSL, entry point, constants, grid, dims, cache key and scalar block. */
export interface Launch {
  readonly pipelineKey: string;
  readonly code: string;
  readonly entryPoint: string;
  readonly constants?: Readonly<Record<string, number>>;
  readonly workgroups: readonly [number, number, number];
  /** The sizes the kernel reads at run time (GpuLaunch.dims); not part of the pipeline key. */
  readonly dims?: readonly number[];
  /** The nodes whose runtime scalars fill the kernel's block (group 1), in slot order; empty: no block. */
  readonly scalars: readonly LazyNode[];
  /** A launch with the same bindings and result that compiles faster (GpuLaunch.quick). */
  readonly quick?: Launch;
}

/** The launch of `k` on a device described by `target`. */
export function lowerKernel(k: Kernel, target: GpuTarget): Launch {
  if (k.kind === 'fused') {
    const g = generateFused(k, target);
    return { pipelineKey: g.code, code: g.code, entryPoint: 'main', workgroups: g.workgroups, scalars: g.scalars };
  }
  if (k.kind === 'copy') throw new Error('webgpu: a copy kernel is encoder copies, not a launch (src/backend/webgpu/plan.ts)');
  if (k.node.op.kind !== 'kernel') throw new Error('webgpu: custom kernel without a kernel op');
  const lower = ({ quick, epilogueSizes, ...launch }: GpuLaunch): Launch => {
    const { code, scalars } = spliceEpilogue(resolveIncludes(launch.code), k, epilogueSizes);
    const lowered = { ...launch, code, scalars, pipelineKey: `${launch.entryPoint}|${JSON.stringify(launch.constants ?? {})}|${code}` };
    return quick ? { ...lowered, quick: lower(quick) } : lowered;
  };
  return lower(k.node.op.def.gpu(k.node as LazyNode & { op: { attrs: unknown } }, target));
}

/**
 * The target of an adapter: SwiftShader prefers register tiles over workgroup-memory tiles;
 * kernel variants come from `variant` (the adapter's calibration, ./calibrate.ts), else only forced ones.
 */
export function gpuTarget(architecture: string, variant: GpuTarget['variant'] = forcedVariant): GpuTarget {
  return { architecture, sharedMemoryTiles: architecture !== 'swiftshader', variant };
}
