// The bindings of a kernel, read from its final WGSL with wgsl_reflect (DESIGN.md invariant 7):
// the bind group layout each pipeline is created with, and the list tests compare against what
// the TypeScript side binds. Pure reflection here; layouts are built by the backend.

import { WgslReflect } from 'wgsl_reflect';

/** One storage buffer an entry point uses. */
export interface ShaderBinding {
  readonly binding: number;
  readonly name: string;
  /** 'read' or 'read_write'. */
  readonly access: string;
}

/**
 * The group-0 storage bindings `entryPoint` of `code` uses, sorted by binding number. Throws if
 * the shader uses anything else (uniforms, textures, other groups): webgrad's kernels bind
 * storage buffers only.
 */
export function reflectBindings(code: string, entryPoint: string): ShaderBinding[] {
  const reflect = new WgslReflect(code);
  const entry = reflect.entry.compute.find((f) => f.name === entryPoint);
  if (!entry) throw new Error(`reflectBindings: the shader has no compute entry point '${entryPoint}'`);
  const out = entry.resources.map((v) => {
    if (v.group !== 0 || v.resourceType !== 1) {
      throw new Error(`reflectBindings: '${entryPoint}' uses ${v.name} (group ${v.group}, binding ${v.binding}), not a group-0 storage buffer`);
    }
    return { binding: v.binding, name: v.name, access: v.access || 'read' };
  });
  return out.sort((a, b) => a.binding - b.binding);
}

/** The bind group layout entries of `bindings` for a compute stage (GPUShaderStage.COMPUTE = 4). */
export function layoutEntries(bindings: readonly ShaderBinding[]): GPUBindGroupLayoutEntry[] {
  return bindings.map((b) => ({
    binding: b.binding,
    visibility: 4,
    buffer: { type: b.access === 'read' ? 'read-only-storage' : 'storage' },
  }));
}
