// Runtime scalars (DESIGN.md "Numbers are inputs"): the numbers of a graph that generated WGSL
// reads from a uniform block bound at launch instead of spelling them in its text, so a value
// that changes every step keeps its plan and pipelines. Pure: the block's layout and encoding.

import type { DType } from '../dtype';
import type { LazyNode } from './ir';

/** The WGSL name of a kernel's scalar block: `@group(1) @binding(0)`, so group 0 stays the kernel's buffers. */
export const SCALAR_BLOCK = 'wg_scalars';

/**
 * The number `n` carries that a kernel reads at run time, or null. Runtime: every finite
 * float32 or int32 constant and the `param` of rows that read one (leakyRelu's and elu's
 * alpha). Compile time, because they change the code and rarely vary: bool constants and
 * non-finite floats (WGSL rejects those as literals; they are built from bit patterns).
 * The plan-cache key writes a runtime scalar by its slot, so its value is not in the key.
 */
export function runtimeScalar(n: LazyNode): number | null {
  const op = n.op;
  if (op.kind === 'const') return n.dtype === 'bool' || !Number.isFinite(op.value) ? null : op.value;
  if (op.kind === 'elementwise' && op.def.usesParam) return op.param;
  return null;
}

/** The dtype a runtime scalar is read as: a constant's own, float32 for a row's param. */
function scalarDType(n: LazyNode): DType {
  return n.op.kind === 'const' ? n.dtype : 'float32';
}

/** Bytes of a block of `count` scalars: WGSL arrays in uniforms step by 16 bytes (vec4<u32>). */
export function scalarBlockBytes(count: number): number {
  return Math.ceil(count / 4) * 16;
}

/** Scalars one block may hold: 64 KiB, the smallest maxUniformBufferBindingSize WebGPU allows. */
const MAX_SCALARS = 16384;

/** The WGSL declaration of a block of `count` scalars. */
export function scalarBlockDecl(count: number): string {
  if (count > MAX_SCALARS) throw new Error(`codegen: a kernel reads ${count} numbers, more than a uniform block holds (${MAX_SCALARS})`);
  return `@group(1) @binding(0) var<uniform> ${SCALAR_BLOCK}: array<vec4<u32>, ${Math.ceil(count / 4)}>;`;
}

/** The WGSL expression reading slot `slot` of the block as `n`'s dtype. */
export function scalarRead(n: LazyNode, slot: number): string {
  const word = `${SCALAR_BLOCK}[${slot >> 2}].${'xyzw'[slot & 3]}`;
  return scalarDType(n) === 'int32' ? `bitcast<i32>(${word})` : `bitcast<f32>(${word})`;
}

/** Writes the runtime scalars `nodes` (slot order) into `words` from word `offset` on. */
export function encodeScalars(nodes: readonly LazyNode[], words: Uint32Array, offset: number): void {
  const f32 = new Float32Array(words.buffer, words.byteOffset, words.length);
  const i32 = new Int32Array(words.buffer, words.byteOffset, words.length);
  nodes.forEach((n, j) => {
    const v = runtimeScalar(n);
    if (v === null) throw new Error(`encodeScalars: node ${n.id} (${n.op.kind}) carries no runtime scalar`);
    if (scalarDType(n) === 'int32') i32[offset + j] = v;
    else f32[offset + j] = v;
  });
}
