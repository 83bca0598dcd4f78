// The one place the CPU backend picks a kernel's implementation: the WebAssembly SIMD kernel
// where one exists and the engine supports it, else the plain-TypeScript `def.cpu` (the
// reference the fast kernels are tested against). Loaded once, at `init`.

import type { KernelDef } from '../../graph/ir';
import type { ConvGeometry, WeightGradAttrs } from '../../ops/conv';
import type { MatmulAttrs } from '../../ops/matmul';
import { gruBackwardCpu, gruForwardCpu } from '../../nn/recurrent/gru-cpu';
import { lstmBackwardCpu, lstmForwardCpu, type AddProduct } from '../../nn/recurrent/lstm-cpu';
import { gateMajor, inGradLayout, type LstmGradAttrs } from '../../nn/recurrent/lstm-layouts';
import type { SequenceAttrs } from '../../nn/recurrent/sequence-kernel';
import { rnnBackwardCpu, rnnForwardCpu, type RnnAttrs } from '../../nn/recurrent/simple-rnn-cpu';
import { simdSupported } from './wasm/features';
import { compileSharedKernels, instantiateKernels } from './wasm/instance';
import { singleThread, startThreads, type KernelRunner } from './wasm/threads';
import { wasmKernels, type PoolGeometry, type RowGeometry, type SoftmaxGeometry, type WasmKernels } from './wasm/wasm-kernels';

/** What the CPU backend runs on: WebAssembly SIMD kernels, and whether they use threads. */
export interface CpuFeatures {
  simd: boolean;
  threads: boolean;
}

type CpuKernel = KernelDef['cpu'];

/**
 * The fast kernel for a kernel name, or null where the plain one should run (a conv with
 * fewer than 4 output channels in all, too few for the grouped kernels' f32x4 lanes).
 */
type FastKernel = (inputs: readonly Float32Array[], attrs: unknown) => Float32Array | null;

/** A recurrent kernel's per-step product by the WebAssembly GEMM (float32 sums), added to the float64 accumulator. */
function gemmProduct(k: WasmKernels): AddProduct {
  return (acc, rows, u, m, depth, n, transU) => {
    const p = k.matmul(rows, u, { batch: 1, m, k: depth, n, batchA: 1, batchB: 1, transA: false, transB: transU });
    for (let i = 0; i < m * n; i++) acc[i] += p[i];
  };
}

function fastTable(k: WasmKernels): Map<string, FastKernel> {
  /**
   * A conv kernel: the GEMM form where the GEMM's column side `c` has at least 4 channels a
   * group, else the direct grouped kernel where f32x4 lanes along cout fill, else the plain one.
   */
  const conv = (a: ConvGeometry, c: number, gemm: () => Float32Array, grouped: () => Float32Array) => (c / a.groups >= 4 ? gemm() : a.cout >= 4 ? grouped() : null);
  const product = gemmProduct(k);
  return new Map<string, FastKernel>([
    ['matmul', ([a, b], attrs) => k.matmul(a, b, attrs as MatmulAttrs)],
    ['conv2d', ([x, w], attrs) => conv(attrs as ConvGeometry, (attrs as ConvGeometry).cout, () => k.conv(x, w, attrs as ConvGeometry), () => k.groupedConv(x, w, attrs as ConvGeometry))],
    ['conv2dTranspose', ([dy, w], attrs) => conv(attrs as ConvGeometry, (attrs as ConvGeometry).cin, () => k.convInputGrad(dy, w, attrs as ConvGeometry), () => k.groupedConvInputGrad(dy, w, attrs as ConvGeometry))],
    ['conv2dWeightGrad', ([x, dy], attrs) => conv(attrs as WeightGradAttrs, (attrs as WeightGradAttrs).cout, () => k.convWeightGrad(x, dy, attrs as WeightGradAttrs), () => k.groupedConvWeightGrad(x, dy, attrs as WeightGradAttrs))],
    ['maxPool2d', ([x], attrs) => k.maxPool(x, attrs as PoolGeometry)],
    ['maxPool2dGrad', ([x, dy], attrs) => k.maxPoolGrad(x, dy, attrs as PoolGeometry)],
    ['avgPool2d', ([x], attrs) => k.avgPool(x, attrs as PoolGeometry)],
    ['avgPool2dGrad', ([dy], attrs) => k.avgPoolGrad(dy, attrs as PoolGeometry)],
    ['softmax', ([x], attrs) => k.softmax(x, attrs as SoftmaxGeometry)],
    ['softmaxCrossEntropy', ([x, labels], attrs) => k.softmaxCrossEntropy(x, Int32Array.from(labels), attrs as RowGeometry)],
    ['softmaxCrossEntropyGrad', ([x, labels, g], attrs) => k.softmaxCrossEntropyGrad(x, Int32Array.from(labels), g, attrs as RowGeometry)],
    ['lstmCell', ([xw, u, h0, c0], attrs) => lstmForwardCpu([xw, gateMajor(u, (attrs as SequenceAttrs).h), h0, c0], attrs as SequenceAttrs, product)],
    ['lstmCellGrad', (inputs, attrs) => inGradLayout(lstmBackwardCpu(inputs, attrs as LstmGradAttrs, product), attrs as LstmGradAttrs)],
    ['gruCell', (inputs, attrs) => gruForwardCpu(inputs, attrs as SequenceAttrs, product)],
    ['gruCellGrad', (inputs, attrs) => gruBackwardCpu(inputs, attrs as SequenceAttrs, product)],
    ['simpleRnnCell', (inputs, attrs) => rnnForwardCpu(inputs, attrs as RnnAttrs, product)],
    ['simpleRnnCellGrad', (inputs, attrs) => rnnBackwardCpu(inputs, attrs as RnnAttrs, product)],
  ]);
}

let table: Map<string, FastKernel> | null = null;
let loading: Promise<void> | null = null;
let plainOnly = false;
let pooled: KernelRunner | null = null;
let threadsOn = true;

/**
 * Worker threads where they can serve a synchronous `execute` (several cores and shared memory:
 * Node, or a cross-origin isolated page), else — or if they fail to start — this thread alone.
 */
async function instantiate(): Promise<WasmKernels> {
  const started = await startThreads(compileSharedKernels).catch(() => null);
  if (!started) {
    const k = await instantiateKernels();
    return wasmKernels(k, singleThread(k));
  }
  pooled = started.runner;
  const single = singleThread(started.kernels);
  const pool = started.runner;
  return wasmKernels(started.kernels, {
    get threads() {
      return threadsOn ? pool.threads : 1;
    },
    run: (...args) => (threadsOn ? pool : single).run(...args),
  });
}

/** Detects SIMD and instantiates the kernels once; without SIMD the plain kernels run. */
export async function loadFastKernels(): Promise<CpuFeatures> {
  if (simdSupported()) {
    loading ??= instantiate().then((k) => {
      table = fastTable(k);
    });
    await loading;
  }
  return cpuFeatures();
}

/**
 * The features in use now. Threads: Node, or a cross-origin isolated page or worker (where
 * SharedArrayBuffer exists); elsewhere the kernels run on the calling thread.
 */
export function cpuFeatures(): CpuFeatures {
  const simd = table !== null && !plainOnly;
  return { simd, threads: simd && pooled !== null && threadsOn };
}

/** Forces the plain-TypeScript kernels (`true`) or allows the fast ones again (for tests). */
export function usePlainKernels(plain: boolean): void {
  plainOnly = plain;
}

/** Lets the wasm kernels use worker threads where started (`true`, the default) or not (for tests). */
export function useThreads(on: boolean): void {
  threadsOn = on;
}

/** The implementation the CPU backend runs for kernel `def`. */
export function cpuKernel(def: KernelDef): CpuKernel {
  const fast = plainOnly ? undefined : table?.get(def.name);
  if (!fast) return def.cpu;
  return (inputs, node) => {
    try {
      return fast(inputs as Float32Array[], node.op.attrs) ?? def.cpu(inputs, node);
    } catch (err) {
      // The module's memory could not grow that far (wasm32's 4 GiB): the plain kernel runs.
      if (err instanceof RangeError) return def.cpu(inputs, node);
      throw err;
    }
  };
}
