// The CPU backend's WebAssembly SIMD kernels as functions of the same inputs and attrs as the
// plain-TypeScript kernels they stand in for (matmul, conv2d and its two gradients, grouped
// too, pooling, softmax rows). They copy operands into the module's memory, run, and copy the
// result out; range kernels split over the runner's threads when the work pays for it.

import type { ConvGeometry, WeightGradAttrs } from '../../../ops/conv';
import type { MatmulAttrs } from '../../../ops/matmul';
import type { WindowGeometry } from '../../../ops/window';
import { KernelHeap, type KernelExports, type RangeKernel } from './instance';
import { singleThread, type KernelRunner } from './threads';

export interface WasmKernels {
  matmul(a: Float32Array, b: Float32Array, attrs: MatmulAttrs): Float32Array;
  conv(x: Float32Array, w: Float32Array, a: ConvGeometry): Float32Array;
  convInputGrad(dy: Float32Array, w: Float32Array, a: ConvGeometry): Float32Array;
  convWeightGrad(x: Float32Array, dy: Float32Array, a: WeightGradAttrs): Float32Array;
  maxPool(x: Float32Array, a: PoolGeometry): Float32Array;
  maxPoolGrad(x: Float32Array, dy: Float32Array, a: PoolGeometry): Float32Array;
  avgPool(x: Float32Array, a: PoolGeometry): Float32Array;
  avgPoolGrad(dy: Float32Array, a: PoolGeometry): Float32Array;
  groupedConv(x: Float32Array, w: Float32Array, a: ConvGeometry): Float32Array;
  groupedConvInputGrad(dy: Float32Array, w: Float32Array, a: ConvGeometry): Float32Array;
  groupedConvWeightGrad(x: Float32Array, dy: Float32Array, a: WeightGradAttrs): Float32Array;
  softmax(x: Float32Array, a: SoftmaxGeometry): Float32Array;
  softmaxCrossEntropy(x: Float32Array, labels: Int32Array, a: RowGeometry): Float32Array;
  softmaxCrossEntropyGrad(x: Float32Array, labels: Int32Array, g: Float32Array, a: RowGeometry): Float32Array;
}

/** The attrs of src/ops/pool.ts's kernels: x [n,h,w,c] → [n,oh,ow,c]. */
export interface PoolGeometry extends WindowGeometry {
  readonly c: number;
  readonly includePad: boolean;
}

/** The attrs of src/ops/softmax.ts's kernels: rows of `cols` values. */
export interface RowGeometry {
  readonly rows: number;
  readonly cols: number;
}

export interface SoftmaxGeometry extends RowGeometry {
  readonly log: boolean;
}

/** Multiply-adds below which waking worker threads costs more than it saves. */
const PARALLEL_MACS = 1 << 20;

/** What one float64 exp of the softmax kernels costs, in multiply-adds (for PARALLEL_MACS). */
const EXP_MACS = 16;

/** A depthwise conv of one channel each reads x as it is; the grouped kernels read other groupings' x laid out [pixel][ci][cout]. */
const expands = (a: ConvGeometry) => !(a.cin === a.groups && a.cout === a.groups);

function convArgs(a: ConvGeometry): number[] {
  return [a.n, a.h, a.w, a.cin, a.oh, a.ow, a.cout, a.kh, a.kw, a.sh, a.sw, a.pt, a.pl, a.dh, a.dw, a.groups];
}

function setPool(k: KernelExports, a: PoolGeometry): void {
  k.setPool(a.n, a.h, a.w, a.c, a.oh, a.ow, a.kh, a.kw, a.sh, a.sw, a.pt, a.pl);
}

/** The multiply-adds of a grouped conv or either gradient: every output pixel's taps over its group's channels. */
function groupedMacs(a: ConvGeometry): number {
  return a.n * a.oh * a.ow * a.kh * a.kw * (a.cin / a.groups) * a.cout;
}

/** The kernels of one instantiated module, range kernels run by `runner`. */
export function wasmKernels(k: KernelExports, runner: KernelRunner): WasmKernels {
  const single = singleThread(k);
  const pick = (macs: number) => (macs >= PARALLEL_MACS ? runner : single);

  /** A softmax row kernel over all rows, each thread with a float64 row of scratch. */
  function rowKernel(heap: KernelHeap, a: RowGeometry, fn: RangeKernel, args: readonly number[]): void {
    const r = pick(a.rows * a.cols * EXP_MACS);
    const bytes = k.softmaxThreadBytes(a.cols);
    r.run(fn, a.rows, heap.alloc(bytes * r.threads), bytes, args);
  }

  /** x in the module's memory as the grouped kernels read it (see `expands`); setConv first. */
  function expandedX(heap: KernelHeap, x: Float32Array, a: ConvGeometry): number {
    const px = heap.put(x);
    if (!expands(a)) return px;
    const pixels = a.n * a.h * a.w;
    const pxe = heap.alloc(pixels * (a.cin / a.groups) * a.cout * 4);
    k.groupedExpand(px, pxe, pixels);
    return pxe;
  }

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
    avgPoolGrad(dy, a) {
      setPool(k, a);
      const heap = new KernelHeap(k);
      const pdy = heap.put(dy);
      const length = a.n * a.h * a.w * a.c;
      const pdx = heap.alloc(length * 4);
      k.avgPoolGrad(pdy, pdx, Number(a.includePad));
      return heap.take(pdx, length);
    },
    groupedConv(x, w, a) {
      k.setConv(...(convArgs(a) as Parameters<KernelExports['setConv']>));
      const heap = new KernelHeap(k);
      const pixels = a.n * a.oh * a.ow;
      const pxe = expandedX(heap, x, a);
      const pw = heap.put(w);
      const py = heap.alloc(pixels * a.cout * 4);
      pick(groupedMacs(a)).run('groupedForward', pixels, 0, 0, [pxe, pw, py], convArgs(a));
      return heap.take(py, pixels * a.cout);
    },
    groupedConvInputGrad(dy, w, a) {
      k.setConv(...(convArgs(a) as Parameters<KernelExports['setConv']>));
      const heap = new KernelHeap(k);
      const pixels = a.n * a.h * a.w;
      const pdy = heap.put(dy);
      const pw = heap.put(w);
      const pdx = heap.alloc(pixels * a.cin * 4);
      const r = pick(groupedMacs(a));
      const bytes = k.groupedThreadBytes();
      r.run('groupedInputGrad', pixels, heap.alloc(bytes * r.threads), bytes, [pdy, pw, pdx], convArgs(a));
      return heap.take(pdx, pixels * a.cin);
    },
    groupedConvWeightGrad(x, dy, a) {
      k.setConv(...(convArgs(a) as Parameters<KernelExports['setConv']>));
      const heap = new KernelHeap(k);
      const pxe = expandedX(heap, x, a);
      const pdy = heap.put(dy);
      const length = a.split * a.kh * a.kw * (a.cin / a.groups) * a.cout;
      const pdw = heap.alloc(length * 4);
      pick(groupedMacs(a)).run('groupedWeightGrad', a.split, 0, 0, [pxe, pdy, pdw, a.chunk], convArgs(a));
      return heap.take(pdw, length);
    },
    softmax(x, a) {
      const heap = new KernelHeap(k);
      const px = heap.put(x);
      const py = heap.alloc(a.rows * a.cols * 4);
      rowKernel(heap, a, 'softmaxRows', [px, py, a.cols, Number(a.log)]);
      return heap.take(py, a.rows * a.cols);
    },
    softmaxCrossEntropy(x, labels, a) {
      const heap = new KernelHeap(k);
      const px = heap.put(x);
      const pl = heap.put(labels);
      const py = heap.alloc(a.rows * 4);
      rowKernel(heap, a, 'crossEntropyRows', [px, pl, py, a.cols]);
      return heap.take(py, a.rows);
    },
    softmaxCrossEntropyGrad(x, labels, g, a) {
      const heap = new KernelHeap(k);
      const px = heap.put(x);
      const pl = heap.put(labels);
      const pg = heap.put(g);
      const pdx = heap.alloc(a.rows * a.cols * 4);
      rowKernel(heap, a, 'crossEntropyGradRows', [px, pl, pg, pdx, a.cols]);
      return heap.take(pdx, a.rows * a.cols);
    },
  };
}
