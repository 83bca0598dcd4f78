// The CPU backend's WebAssembly SIMD kernels as functions of the same inputs and attrs as the
// plain-TypeScript kernels they stand in for (matmul, conv2d and its two gradients, max and
// average pooling). They copy operands into the module's memory, run, and copy the result out;
// matmul and conv split their range kernels over the runner's threads when the work pays for it.

import type { ConvGeometry, WeightGradAttrs } from '../../../ops/conv';
import type { MatmulAttrs } from '../../../ops/matmul';
import type { WindowGeometry } from '../../../ops/window';
import { KernelHeap, type KernelExports } from './instance';
import { singleThread, type KernelRunner } from './threads';

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

/** Multiply-adds below which waking worker threads costs more than it saves. */
const PARALLEL_MACS = 1 << 20;

function convArgs(a: ConvGeometry): number[] {
  return [a.n, a.h, a.w, a.cin, a.oh, a.ow, a.cout, a.kh, a.kw, a.sh, a.sw, a.pt, a.pl, a.dh, a.dw, a.groups];
}

function setPool(k: KernelExports, a: PoolGeometry): void {
  k.setPool(a.n, a.h, a.w, a.c, a.oh, a.ow, a.kh, a.kw, a.sh, a.sw, a.pt, a.pl);
}

/** The kernels of one instantiated module, range kernels run by `runner`. */
export function wasmKernels(k: KernelExports, runner: KernelRunner): WasmKernels {
  const single = singleThread(k);
  const pick = (macs: number) => (macs >= PARALLEL_MACS ? runner : single);

  /** One conv kernel over groups: pack group g's weights, then run its blocks. */
  function convGroups(a: ConvGeometry, pack: (packed: number, g: number) => void, run: (r: KernelRunner, scratch: number, bytes: number, packed: number, g: number) => void, heap: KernelHeap): void {
    const r = pick((a.n * a.oh * a.ow * a.kh * a.kw * a.cin * a.cout) / a.groups);
    const packed = heap.alloc(k.convPackedBytes());
    const bytes = k.convThreadBytes();
    const scratch = heap.alloc(bytes * r.threads);
    for (let g = 0; g < a.groups; g++) {
      pack(packed, g);
      run(r, scratch, bytes, packed, g);
    }
  }

  return {
    matmul(a, b, attrs) {
      const { batch, m, k: depth, n, batchA, batchB, transA, transB } = attrs;
      const heap = new KernelHeap(k);
      const pa = heap.put(a);
      const pb = heap.put(b);
      const pc = heap.alloc(batch * m * n * 4);
      const packed = heap.alloc(k.matmulPackedBytes(m, depth, n));
      const r = pick(m * depth * n);
      const scratch = heap.alloc(k.matmulThreadBytes() * r.threads);
      for (let p = 0; p < batch; p++) {
        k.matmulPack(pa + (p % batchA) * m * depth * 4, pb + (p % batchB) * depth * n * 4, packed, m, depth, n, Number(transA), Number(transB));
        r.run('matmulPanels', k.matmulRowPanels(m), scratch, k.matmulThreadBytes(), [packed, pc + p * m * n * 4, m, depth, n]);
      }
      return heap.take(pc, batch * m * n);
    },
    conv(x, w, a) {
      k.setConv(...(convArgs(a) as Parameters<KernelExports['setConv']>));
      const heap = new KernelHeap(k);
      const px = heap.put(x);
      const pw = heap.put(w);
      const length = a.n * a.oh * a.ow * a.cout;
      const py = heap.alloc(length * 4);
      convGroups(a, (packed, g) => k.convPackForward(pw, packed, g), (r, scratch, bytes, packed, g) => r.run('convForwardBlocks', k.convBlocks(0), scratch, bytes, [px, packed, py, g], convArgs(a)), heap);
      return heap.take(py, length);
    },
    convInputGrad(dy, w, a) {
      k.setConv(...(convArgs(a) as Parameters<KernelExports['setConv']>));
      const heap = new KernelHeap(k);
      const pdy = heap.put(dy);
      const pw = heap.put(w);
      const length = a.n * a.h * a.w * a.cin;
      const pdx = heap.alloc(length * 4);
      convGroups(a, (packed, g) => k.convPackInputGrad(pw, packed, g), (r, scratch, bytes, packed, g) => r.run('convInputGradBlocks', k.convBlocks(1), scratch, bytes, [pdy, packed, pdx, g], convArgs(a)), heap);
      return heap.take(pdx, length);
    },
    convWeightGrad(x, dy, a) {
      k.setConv(...(convArgs(a) as Parameters<KernelExports['setConv']>));
      const heap = new KernelHeap(k);
      const px = heap.put(x);
      const pdy = heap.put(dy);
      const length = a.split * a.kh * a.kw * (a.cin / a.groups) * a.cout;
      const pdw = heap.alloc(length * 4);
      const r = pick((a.n * a.oh * a.ow * a.kh * a.kw * a.cin * a.cout) / a.groups);
      const bytes = k.convThreadBytes();
      r.run('convWeightGradSlabs', a.split, heap.alloc(bytes * r.threads), bytes, [px, pdy, pdw, a.chunk], convArgs(a));
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
