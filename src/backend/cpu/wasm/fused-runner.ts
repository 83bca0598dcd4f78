// Runs generated fused-kernel modules (./fused-wasm.ts) on JS typed arrays: one wasm memory for all
// of them (each kernel lays its arrays out from byte 0; runs never overlap), grown as needed; a run
// copies its inputs and scalars in, calls the function and copies its outputs back.

import type { TypedArray } from '../../../dtype';
import type { FusedWasm } from './fused-wasm';

/** Below this many elements a kernel stays in JavaScript: the call and copies cost more than SIMD saves. */
export const WASM_MIN_ELEMENTS = 256;

const PAGE_BYTES = 65536;

let memory: WebAssembly.Memory | null = null;
let heap = new Float32Array(0);

/** The shared memory, at least `bytes` long, and a float view of it. */
function memoryOf(bytes: number): WebAssembly.Memory {
  memory ??= new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE_BYTES)) });
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
  if (heap.buffer !== memory.buffer) heap = new Float32Array(memory.buffer);
  return memory;
}

/** A compiled fused kernel: `run` computes what the JS loop computes and says whether it ran. */
export interface WasmLoop {
  /**
   * False, having done nothing, while the module compiles in the background or where the memory
   * cannot grow to the kernel's arrays (wasm32's 4 GiB): the caller runs its JS loop instead.
   */
  run(ins: readonly TypedArray[], outs: readonly TypedArray[], scalars: readonly number[]): boolean;
}

/**
 * Compiles `w` (synchronously where the engine allows a module this size on this thread, else in
 * the background; never where the page forbids compiling WebAssembly).
 *
 * ```ts
 * const loop = wasmLoop(fusedWasm(kernel, kernel.inputs)!);
 * if (!loop.run([a, b], [out], scalars)) jsLoop([a, b], [out], scalars);
 * ```
 */
export function wasmLoop(w: FusedWasm): WasmLoop {
  let module: WebAssembly.Module | null = null;
  let run: (() => void) | null = null;
  try {
    module = new WebAssembly.Module(w.bytes);
  } catch (e) {
    // A page whose Content-Security-Policy forbids compiling WebAssembly keeps the JS loops.
    if (e instanceof WebAssembly.CompileError) return { run: () => false };
    // Browsers refuse synchronous compiles of large modules on the main thread.
    if (!(e instanceof RangeError)) throw e;
    WebAssembly.compile(w.bytes).then(
      (m) => (module = m),
      () => undefined,
    );
  }
  return {
    run(ins, outs, scalars) {
      if (!module) return false;
      try {
        memoryOf(w.memoryBytes);
      } catch (e) {
        if (e instanceof RangeError) return false;
        throw e;
      }
      run ??= new WebAssembly.Instance(module, { env: { memory: memory! } }).exports.run as () => void;
      scalars.forEach((v, i) => (heap[i] = v));
      for (const r of w.regions) {
        const base = r.at >> 2;
        if (r.zero) heap.fill(0, base, base + r.size);
        for (const p of r.pieces) heap.set(ins[p.input].subarray(p.from, p.from + p.count), base + p.to);
      }
      run();
      w.outputs.forEach((o, j) => outs[j].set(heap.subarray(o.at >> 2, (o.at >> 2) + o.size)));
      return true;
    },
  };
}
