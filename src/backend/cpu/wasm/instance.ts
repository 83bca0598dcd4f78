// The compiled kernels module (kernels.wasm, built from assembly/ by scripts/build-wasm.mjs),
// instantiated once, and its linear memory: each kernel call lays out its arrays from the
// module's heap base, growing the memory as needed; nothing outlives the call.

import wasmDataUrl from './kernels.wasm?url&inline';

/** The exports of assembly/kernels.ts (pointers are byte offsets into `memory`). */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  matmulScratch(m: number, k: number, n: number): number;
  matmul(a: number, b: number, c: number, scratch: number, m: number, k: number, n: number, transA: number, transB: number): void;
  setConv(n: number, h: number, w: number, cin: number, oh: number, ow: number, cout: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, dh: number, dw: number, groups: number): void;
  convScratch(): number;
  convForward(x: number, w: number, y: number, scratch: number): void;
  convInputGrad(dy: number, w: number, dx: number, scratch: number): void;
  convWeightGrad(x: number, dy: number, dw: number, scratch: number, split: number, chunk: number): void;
  setPool(n: number, h: number, w: number, c: number, oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number): void;
  maxPool(x: number, y: number): void;
  maxPoolGrad(x: number, dy: number, dx: number): void;
  avgPool(x: number, y: number, includePad: number): void;
}

/** Decodes the inlined `data:application/wasm;base64,...` URL Vite gives for the module. */
function wasmBytes(): Uint8Array<ArrayBuffer> {
  const base64 = wasmDataUrl.slice(wasmDataUrl.indexOf(',') + 1);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Compiles and instantiates the kernels module (asynchronously: browsers refuse large sync compiles). */
export async function instantiateKernels(): Promise<KernelExports> {
  const { instance } = await WebAssembly.instantiate(wasmBytes());
  return instance.exports as unknown as KernelExports;
}

/** Float32 arrays laid out one after another in the module's memory for one call. */
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

  /** Copies `values` in and returns their offset. */
  put(values: Float32Array): number {
    const at = this.alloc(values.byteLength);
    new Float32Array(this.k.memory.buffer, at, values.length).set(values);
    return at;
  }

  /** A copy of `length` floats at `at`. */
  take(at: number, length: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, at, length).slice();
  }
}
