// The CPU backend's WebAssembly SIMD kernels as functions of the same inputs and attrs as the
// plain-TypeScript kernels they stand in for (matmul, conv2d and its two gradients, max and
// average pooling). They copy operands into the module's memory, run, and copy the result out.

import type { ConvGeometry, WeightGradAttrs } from '../../../ops/conv';
import type { MatmulAttrs } from '../../../ops/matmul';
import type { WindowGeometry } from '../../../ops/window';
import { KernelHeap, type KernelExports } from './instance';

export interface WasmKernels {
  matmul(a: Float32Array, b: Float32Array, attrs: MatmulAttrs): Float32Array;
  conv(x: Float32Array, w: Float32Array, a: ConvGeometry): Float32Array;
  convInputGrad(dy: Float32Array, w: Float32Array, a: ConvGeometry): Float32Array;
  convWeightGrad(x: Float32Array, dy: Float32Array, a: WeightGradAttrs): Float32Array;
  maxPool(x: Float32Array, a: PoolGeometry): Float32Array;
  maxPoolGrad(x: Float32Array, dy: Float32Array, a: PoolGeometry): Float32Array;
  avgPool(x: Float32Array, a: PoolGeometry): Float32Array;
}

/** The attrs of src/ops/pool.ts's kernels: x [n,h,w,c] → [n,oh,ow,c]. */
export interface PoolGeometry extends WindowGeometry {
  readonly c: number;
  readonly includePad: boolean;
}

function setGeometry(k: KernelExports, a: ConvGeometry): void {
  k.setConv(a.n, a.h, a.w, a.cin, a.oh, a.ow, a.cout, a.kh, a.kw, a.sh, a.sw, a.pt, a.pl, a.dh, a.dw, a.groups);
}

function setPool(k: KernelExports, a: PoolGeometry): void {
  k.setPool(a.n, a.h, a.w, a.c, a.oh, a.ow, a.kh, a.kw, a.sh, a.sw, a.pt, a.pl);
}

/** The kernels of one instantiated module. */
export function wasmKernels(k: KernelExports): WasmKernels {
  return {
    matmul(a, b, attrs) {
      const { batch, m, k: depth, n, batchA, batchB, transA, transB } = attrs;
      const heap = new KernelHeap(k);
      const pa = heap.put(a);
      const pb = heap.put(b);
      const pc = heap.alloc(batch * m * n * 4);
      const scratch = heap.alloc(k.matmulScratch(m, depth, n));
      for (let p = 0; p < batch; p++) {
        const aAt = pa + (p % batchA) * m * depth * 4;
        const bAt = pb + (p % batchB) * depth * n * 4;
        k.matmul(aAt, bAt, pc + p * m * n * 4, scratch, m, depth, n, Number(transA), Number(transB));
      }
      return heap.take(pc, batch * m * n);
    },
    conv(x, w, a) {
      setGeometry(k, a);
      const heap = new KernelHeap(k);
      const px = heap.put(x);
      const pw = heap.put(w);
      const length = a.n * a.oh * a.ow * a.cout;
      const py = heap.alloc(length * 4);
      k.convForward(px, pw, py, heap.alloc(k.convScratch()));
      return heap.take(py, length);
    },
    convInputGrad(dy, w, a) {
      setGeometry(k, a);
      const heap = new KernelHeap(k);
      const pdy = heap.put(dy);
      const pw = heap.put(w);
      const length = a.n * a.h * a.w * a.cin;
      const pdx = heap.alloc(length * 4);
      k.convInputGrad(pdy, pw, pdx, heap.alloc(k.convScratch()));
      return heap.take(pdx, length);
    },
    convWeightGrad(x, dy, a) {
      setGeometry(k, a);
      const heap = new KernelHeap(k);
      const px = heap.put(x);
      const pdy = heap.put(dy);
      const length = a.split * a.kh * a.kw * (a.cin / a.groups) * a.cout;
      const pdw = heap.alloc(length * 4);
      k.convWeightGrad(px, pdy, pdw, heap.alloc(k.convScratch()), a.split, a.chunk);
      return heap.take(pdw, length);
    },
    maxPool(x, a) {
      setPool(k, a);
      const heap = new KernelHeap(k);
      const px = heap.put(x);
      const length = a.n * a.oh * a.ow * a.c;
      const py = heap.alloc(length * 4);
      k.maxPool(px, py);
      return heap.take(py, length);
    },
    maxPoolGrad(x, dy, a) {
      setPool(k, a);
      const heap = new KernelHeap(k);
      const px = heap.put(x);
      const pdy = heap.put(dy);
      const pdx = heap.alloc(x.byteLength);
      k.maxPoolGrad(px, pdy, pdx);
      return heap.take(pdx, x.length);
    },
    avgPool(x, a) {
      setPool(k, a);
      const heap = new KernelHeap(k);
      const px = heap.put(x);
      const length = a.n * a.oh * a.ow * a.c;
      const py = heap.alloc(length * 4);
      k.avgPool(px, py, Number(a.includePad));
      return heap.take(py, length);
    },
  };
}
