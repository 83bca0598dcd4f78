// The compiled kernels modules (built from assembly/ by scripts/build-wasm.mjs), instantiated
// once, and their linear memory: each kernel call lays out its arrays from the module's heap
// base, growing the memory as needed; nothing outlives the call. kernels.wasm owns its memory;
// kernels-shared.wasm imports a shared one, so worker threads can run on the same arrays.

import wasmDataUrl from './kernels.wasm?url&inline';
import sharedWasmDataUrl from './kernels-shared.wasm?url&inline';

/** The exports of assembly/kernels.ts (pointers are byte offsets into `memory`). */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  matmulRowPanels(m: number): number;
  matmulThreadBytes(): number;
  matmulPackedBytes(m: number, k: number, n: number): number;
  matmulPack(a: number, b: number, packed: number, m: number, k: number, n: number, transA: number, transB: number): void;
  matmulPanels(scratch: number, packed: number, c: number, m: number, k: number, n: number, lo: number, hi: number): void;
  setConv(n: number, h: number, w: number, cin: number, oh: number, ow: number, cout: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, dh: number, dw: number, groups: number): void;
  convPackedBytes(): number;
  convThreadBytes(): number;
  convBlocks(transposed: number): number;
  convPackForward(w: number, packed: number, g: number): void;
  convForwardBlocks(scratch: number, x: number, packed: number, y: number, g: number, lo: number, hi: number): void;
  convPackInputGrad(w: number, packed: number, g: number): void;
  convInputGradBlocks(scratch: number, dy: number, packed: number, dx: number, g: number, lo: number, hi: number): void;
  convWeightGradSlabs(scratch: number, x: number, dy: number, dw: number, chunk: number, lo: number, hi: number): void;
  setPool(n: number, h: number, w: number, c: number, oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number): void;
  maxPool(x: number, y: number): void;
  maxPoolGrad(x: number, dy: number, dx: number): void;
  avgPool(x: number, y: number, includePad: number): void;
  avgPoolGrad(dy: number, dx: number, includePad: number): void;
  groupedExpand(x: number, xe: number, pixels: number): void;
  groupedThreadBytes(): number;
  groupedForward(scratch: number, xe: number, w: number, y: number, lo: number, hi: number): void;
  groupedInputGrad(scratch: number, dy: number, w: number, dx: number, lo: number, hi: number): void;
  groupedWeightGrad(scratch: number, xe: number, dy: number, dw: number, chunk: number, lo: number, hi: number): void;
  softmaxThreadBytes(cols: number): number;
  softmaxRows(scratch: number, x: number, y: number, cols: number, log: number, lo: number, hi: number): void;
  crossEntropyRows(scratch: number, x: number, labels: number, y: number, cols: number, lo: number, hi: number): void;
  crossEntropyGradRows(scratch: number, x: number, labels: number, g: number, dx: number, cols: number, lo: number, hi: number): void;
}

/** The kernels split over ranges (their last two arguments), which threads share out. */
export type RangeKernel =
  | 'matmulPanels'
  | 'convForwardBlocks'
  | 'convInputGradBlocks'
  | 'convWeightGradSlabs'
  | 'groupedForward'
  | 'groupedInputGrad'
  | 'groupedWeightGrad'
  | 'softmaxRows'
  | 'crossEntropyRows'
  | 'crossEntropyGradRows';

/** The pages (64 KiB) kernels-shared.wasm declares as its memory's maximum (4 GiB). */
export const SHARED_MAX_PAGES = 65536;

/** Decodes an inlined `data:application/wasm;base64,...` URL as Vite gives it for a module. */
function wasmBytes(dataUrl: string): Uint8Array<ArrayBuffer> {
  const binary = atob(dataUrl.slice(dataUrl.indexOf(',') + 1));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Compiles and instantiates kernels.wasm (asynchronously: browsers refuse large sync compiles). */
export async function instantiateKernels(): Promise<KernelExports> {
  const { instance } = await WebAssembly.instantiate(wasmBytes(wasmDataUrl));
  return instance.exports as unknown as KernelExports;
}

/** Compiles kernels-shared.wasm, for instances on `memory` (shared) in this and other threads. */
export async function compileSharedKernels(): Promise<WebAssembly.Module> {
  return WebAssembly.compile(wasmBytes(sharedWasmDataUrl));
}

/** An instance of kernels-shared.wasm on the shared `memory`. */
export function instantiateShared(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { ...(instance.exports as unknown as KernelExports), memory };
}

/** Float32 (or int32) arrays laid out one after another in the module's memory for one call. */
export class KernelHeap {
  private next: number;

  constructor(private readonly k: KernelExports) {
    this.next = k.heapBase();
  }

  /** Reserves `bytes` (16-byte aligned) and returns its offset, growing the memory if needed. */
  alloc(bytes: number): number {
    const at = Math.ceil(this.next / 16) * 16;
    this.next = at + bytes;
    const have = this.k.memory.buffer.byteLength;
    if (this.next > have) this.k.memory.grow(Math.ceil((this.next - have) / 65536));
    return at;
  }

  /** Copies `values` in (their bytes) and returns their offset. */
  put(values: Float32Array | Int32Array): number {
    const at = this.alloc(values.byteLength);
    new Uint8Array(this.k.memory.buffer, at, values.byteLength).set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    return at;
  }

  /** A copy of `length` floats at `at`. */
  take(at: number, length: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, at, length).slice();
  }
}
