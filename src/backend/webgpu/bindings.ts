// The bindings of a kernel, read from its final WGSL with wgsl_reflect (DESIGN.md invariant 7):
// the bind group layouts each pipeline is created with (group 0: storage buffers; group 1: the
// runtime-scalar uniform block), and the lists tests compare against what the TypeScript side
// binds. Pure reflection here; layouts are built by the backend.

import { WgslReflect } from 'wgsl_reflect';
import { SCALAR_BLOCK } from '../../graph/scalars';

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
}

/** The name of the error-flag buffer a kernel declares to report bad input found on the device (see WebGpuBackend.read). */
export const ERROR_FLAGS = 'wg_errors';

/**
 * What `entryPoint` of `code` uses: its group-0 storage bindings, sorted by binding number, and
 * whether it reads the scalar block (`@group(1) @binding(0) var<uniform> wg_scalars`). Throws if
 * the shader uses anything else (other uniforms, textures, other groups).
 */
export function reflectKernel(code: string, entryPoint: string): KernelBindings {
  const reflect = new WgslReflect(code);
  const entry = reflect.entry.compute.find((f) => f.name === entryPoint);
  if (!entry) throw new Error(`reflectKernel: the shader has no compute entry point '${entryPoint}'`);
  const isBlock = (v: (typeof entry.resources)[number]) => v.group === 1 && v.binding === 0 && v.resourceType === 0 && v.name === SCALAR_BLOCK;
  const isFlags = (v: (typeof entry.resources)[number]) => v.group === 2 && v.binding === 0 && v.resourceType === 1 && v.name === ERROR_FLAGS;
  const storage = entry.resources.flatMap((v) => {
    if (isBlock(v) || isFlags(v)) return [];
    if (v.group !== 0 || v.resourceType !== 1) {
      throw new Error(`reflectKernel: '${entryPoint}' uses ${v.name} (group ${v.group}, binding ${v.binding}), not a group-0 storage buffer or the scalar block`);
    }
    return [{ binding: v.binding, name: v.name, access: v.access || 'read' }];
  });
  return { storage: storage.sort((a, b) => a.binding - b.binding), scalarBlock: entry.resources.some(isBlock), errorFlags: entry.resources.some(isFlags) };
}

/** The group-0 storage bindings `entryPoint` of `code` uses, sorted by binding number (see reflectKernel). */
export function reflectBindings(code: string, entryPoint: string): ShaderBinding[] {
  return reflectKernel(code, entryPoint).storage;
}

/** The bind group layout entries of the scalar block (group 1). */
export const SCALAR_LAYOUT_ENTRIES: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: 4, buffer: { type: 'uniform' } }];

/** The bind group layout entries of the error flags (group 2). */
export const ERROR_LAYOUT_ENTRIES: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: 4, buffer: { type: 'storage' } }];

/** The bind group layout entries of `bindings` for a compute stage (GPUShaderStage.COMPUTE = 4). */
export function layoutEntries(bindings: readonly ShaderBinding[]): GPUBindGroupLayoutEntry[] {
  return bindings.map((b) => ({
    binding: b.binding,
    visibility: 4,
    buffer: { type: b.access === 'read' ? 'read-only-storage' : 'storage' },
  }));
}
