// The bindings of a kernel, read from its final WGSL with wgsl_reflect (DESIGN.md invariant 7):
// the bind group layouts each pipeline is created with (group 0: storage buffers; group 1: the
// runtime-scalar uniform block; group 2: the error flags; group 3: the launch's dims), and the
// lists tests compare against what the TypeScript side binds. Reflection here (and the dims'
// buffer); layouts are built by the backend.

import { WgslReflect } from 'wgsl_reflect';
import { SCALAR_BLOCK } from '../../graph/scalars';
import { UNIFORM_USAGE } from './buffer-pool';

/** One storage buffer an entry point uses. */
export interface ShaderBinding {
  readonly binding: number;
  readonly name: string;
  /** 'read' or 'read_write'. */
  readonly access: string;
}

/** What an entry point binds: group-0 storage buffers, and whether it reads the scalar block. */
export interface KernelBindings {
  readonly storage: ShaderBinding[];
  readonly scalarBlock: boolean;
  /** Whether it reports bad input through the device's error flags (`@group(2) @binding(0) var<storage, read_write> wg_errors`). */
  readonly errorFlags: boolean;
  /** The u32 words of the sizes it reads at run time (`@group(3) @binding(0) var<uniform> wg_dims`, GpuLaunch.dims); 0: none. */
  readonly dims: number;
}

/** The name of the error-flag buffer a kernel declares to report bad input found on the device (see WebGpuBackend.read). */
export const ERROR_FLAGS = 'wg_errors';

/** The name of the uniform a kernel reads its runtime sizes from (GpuLaunch.dims). */
export const LAUNCH_DIMS = 'wg_dims';

/**
 * What `entryPoint` of `code` uses: its group-0 storage bindings, sorted by binding number, and
 * whether it reads the scalar block (`@group(1) @binding(0) var<uniform> wg_scalars`), the error
 * flags or the dims. Throws if the shader uses anything else (other uniforms, textures, groups).
 */
export function reflectKernel(code: string, entryPoint: string): KernelBindings {
  const reflect = new WgslReflect(code);
  const entry = reflect.entry.compute.find((f) => f.name === entryPoint);
  if (!entry) throw new Error(`reflectKernel: the shader has no compute entry point '${entryPoint}'`);
  const isBlock = (v: (typeof entry.resources)[number]) => v.group === 1 && v.binding === 0 && v.resourceType === 0 && v.name === SCALAR_BLOCK;
  const isFlags = (v: (typeof entry.resources)[number]) => v.group === 2 && v.binding === 0 && v.resourceType === 1 && v.name === ERROR_FLAGS;
  const isDims = (v: (typeof entry.resources)[number]) => v.group === 3 && v.binding === 0 && v.resourceType === 0 && v.name === LAUNCH_DIMS;
  const storage = entry.resources.flatMap((v) => {
    if (isBlock(v) || isFlags(v) || isDims(v)) return [];
    if (v.group !== 0 || v.resourceType !== 1) {
      throw new Error(`reflectKernel: '${entryPoint}' uses ${v.name} (group ${v.group}, binding ${v.binding}), not a group-0 storage buffer or the scalar block`);
    }
    return [{ binding: v.binding, name: v.name, access: v.access || 'read' }];
  });
  return { storage: storage.sort((a, b) => a.binding - b.binding), scalarBlock: entry.resources.some(isBlock), errorFlags: entry.resources.some(isFlags), dims: (entry.resources.find(isDims)?.size ?? 0) / 4 };
}

/** The group-0 storage bindings `entryPoint` of `code` uses, sorted by binding number (see reflectKernel). */
export function reflectBindings(code: string, entryPoint: string): ShaderBinding[] {
  return reflectKernel(code, entryPoint).storage;
}

/** The bind group layout entries of the scalar block (group 1). */
export const SCALAR_LAYOUT_ENTRIES: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: 4, buffer: { type: 'uniform' } }];

/** The bind group layout entries of the error flags (group 2). */
export const ERROR_LAYOUT_ENTRIES: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: 4, buffer: { type: 'storage' } }];

/** The bind group layout entries of the launch dims (group 3). */
export const DIMS_LAYOUT_ENTRIES: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: 4, buffer: { type: 'uniform' } }];

/** A new uniform buffer holding a launch's dims `words` (padded to a multiple of 16 bytes). */
export function dimsBuffer(device: GPUDevice, words: readonly number[]): GPUBuffer {
  const data = new Uint32Array(Math.max(4, Math.ceil(words.length / 4) * 4));
  data.set(words);
  const buffer = device.createBuffer({ size: data.byteLength, usage: UNIFORM_USAGE });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

/** The bind group layout entries of `bindings` for a compute stage (GPUShaderStage.COMPUTE = 4). */
export function layoutEntries(bindings: readonly ShaderBinding[]): GPUBindGroupLayoutEntry[] {
  return bindings.map((b) => ({
    binding: b.binding,
    visibility: 4,
    buffer: { type: b.access === 'read' ? 'read-only-storage' : 'storage' },
  }));
}
