// The benchmark's workloads (W1–W6) and what every engine gets for them: the same host data and
// initial weights, drawn from fixed seeds, in webgrad's layouts (NHWC images, [in, out] kernels,
// LSTM gates i, f, g, o). An engine that lays data out otherwise transposes on upload.

/** A workload id; W1 has one row per matrix size. */
export type WorkloadId = 'W1-256' | 'W1-512' | 'W1-1024' | 'W2' | 'W3' | 'W4' | 'W5' | 'W6';

export interface Workload {
  id: WorkloadId;
  name: string;
  /** 'forward': the step's check value is the mean |output|; 'train': the step's loss. */
  kind: 'forward' | 'train';
  /** Floating-point operations of one step (matmul and conv multiply-adds × 2; a train step counts forward + two backward products). */
  flops: number;
  /** The batch (for W1 the matrix size); W6 also has its sequence length. */
  batch: number;
  size?: number;
  steps?: number;
}

/** A host array and its shape. */
export interface HostArray {
  shape: number[];
  values: Float32Array;
}

/** What a step consumes: named inputs (x, labels one-hot or targets) and named initial parameters. */
export interface WorkloadData {
  inputs: Record<string, HostArray>;
  /** Integer class labels where the workload has them (W2, W3). */
  labels?: Int32Array;
  params: Record<string, HostArray>;
}

/** One engine's step of a workload, prepared: `step` runs one and resolves to its check value. */
export interface PreparedStep {
  step(): Promise<number>;
  dispose(): void;
}

/** An engine (one library on one backend), loaded only when run. */
export interface Engine {
  readonly name: string;
  prepare(workload: Workload, data: WorkloadData): Promise<PreparedStep>;
  /** What one `step` costs the device, where the engine can count it. */
  countsOf?(step: PreparedStep): Promise<StepCounts>;
}

/** One step's kernel dispatches and the bytes it uploads (a cached step uploads none beyond new data). */
export interface StepCounts {
  readonly dispatches: number;
  readonly uploadedBytes: number;
}

export const ADAM = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;
export const LSTM_SIZES = { features: 32, units: 128 } as const;
export const CONV_CHANNELS = { cin: 16, cout: 32 } as const;

/** quick: the same workloads at small sizes (tests, a first look); full: the sizes. */
export type Mode = 'quick' | 'full';

/** The batch sizes (and matmul sizes, LSTM steps) of each mode. */
const sizes = {
  full: { matmul: [256, 512, 1024], mlp: 128, cnnTrain: 64, cnnInfer: 256, conv: 32, lstmBatch: 32, lstmSteps: 32 },
  quick: { matmul: [64, 128, 256], mlp: 32, cnnTrain: 4, cnnInfer: 8, conv: 2, lstmBatch: 4, lstmSteps: 8 },
} as const;

const mlpFlops = (b: number) => 2 * b * (784 * 256 + 256 * 128 + 128 * 10);
const cnnFlops = (b: number) => 2 * b * (28 * 28 * 32 * 9 + 14 * 14 * 64 * 9 * 32 + 3136 * 128 + 128 * 10);
const lstmFlops = (b: number, t: number) => 2 * b * t * (LSTM_SIZES.features + LSTM_SIZES.units) * 4 * LSTM_SIZES.units;

/** The workloads of `mode`, W1 with one row per matrix size. */
export function workloadsOf(mode: Mode): Workload[] {
  const z = sizes[mode];
  const ids = ['W1-256', 'W1-512', 'W1-1024'] as const;
  return [
    ...z.matmul.map((n, i): Workload => ({ id: ids[i]!, name: `W1 matmul ${n}`, kind: 'forward', flops: 2 * n ** 3, size: n, batch: n })),
    { id: 'W2', name: `W2 MLP train (Adam, b${z.mlp})`, kind: 'train', flops: 3 * mlpFlops(z.mlp), batch: z.mlp },
    { id: 'W3', name: `W3 CNN train (Adam, b${z.cnnTrain})`, kind: 'train', flops: 3 * cnnFlops(z.cnnTrain), batch: z.cnnTrain },
    { id: 'W4', name: `W4 CNN inference (b${z.cnnInfer})`, kind: 'forward', flops: cnnFlops(z.cnnInfer), batch: z.cnnInfer },
    { id: 'W5', name: `W5 conv2d 32×32 3×3 16→32 (b${z.conv})`, kind: 'forward', flops: 2 * z.conv * 32 * 32 * 32 * 9 * 16, batch: z.conv },
    { id: 'W6', name: `W6 LSTM(128) train (${z.lstmSteps} steps, b${z.lstmBatch})`, kind: 'train', flops: 3 * lstmFlops(z.lstmBatch, z.lstmSteps), batch: z.lstmBatch, steps: z.lstmSteps },
  ];
}

/** Uniform values in [lo, hi) from a fixed seed (an LCG: the same numbers in every engine and browser). */
function uniform(shape: number[], seed: number, lo = -1, hi = 1): HostArray {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < values.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    values[i] = lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  }
  return { shape, values };
}

/** A kernel with variance 1/fanIn (LeCun uniform), fanIn = the product of all but the last axis. */
const kernel = (shape: number[], seed: number): HostArray => {
  const limit = Math.sqrt(3 / shape.slice(0, -1).reduce((a, b) => a * b, 1));
  return uniform(shape, seed, -limit, limit);
};
const zeros = (shape: number[]): HostArray => ({ shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

function classes(batch: number, seed: number): { labels: Int32Array; oneHot: HostArray } {
  const labels = new Int32Array(batch);
  const oneHot = zeros([batch, 10]);
  const u = uniform([batch], seed, 0, 10).values;
  for (let i = 0; i < batch; i++) {
    labels[i] = Math.min(9, Math.floor(u[i]!));
    oneHot.values[i * 10 + labels[i]!] = 1;
  }
  return { labels, oneHot };
}

const cnnParams = (): Record<string, HostArray> => ({
  k1: kernel([3, 3, 1, 32], 11), b1: zeros([32]),
  k2: kernel([3, 3, 32, 64], 12), b2: zeros([64]),
  w3: kernel([3136, 128], 13), b3: zeros([128]),
  w4: kernel([128, 10], 14), b4: zeros([10]),
});

/** The host data of a workload: the same for every engine. */
export function workloadData(w: Workload): WorkloadData {
  const b = w.batch;
  switch (w.id) {
    case 'W1-256':
    case 'W1-512':
    case 'W1-1024':
      return { inputs: { a: uniform([b, b], 1), b: uniform([b, b], 2) }, params: {} };
    case 'W2': {
      const { labels, oneHot } = classes(b, 3);
      return {
        inputs: { x: uniform([b, 784], 4, 0, 1), y: oneHot },
        labels,
        params: { w1: kernel([784, 256], 5), b1: zeros([256]), w2: kernel([256, 128], 6), b2: zeros([128]), w3: kernel([128, 10], 7), b3: zeros([10]) },
      };
    }
    case 'W3': {
      const { labels, oneHot } = classes(b, 8);
      return { inputs: { x: uniform([b, 28, 28, 1], 9, 0, 1), y: oneHot }, labels, params: cnnParams() };
    }
    case 'W4':
      return { inputs: { x: uniform([b, 28, 28, 1], 10, 0, 1) }, params: cnnParams() };
    case 'W5':
      return { inputs: { x: uniform([b, 32, 32, CONV_CHANNELS.cin], 15), w: kernel([3, 3, CONV_CHANNELS.cin, CONV_CHANNELS.cout], 16) }, params: {} };
    case 'W6': {
      const { features, units } = LSTM_SIZES;
      return {
        inputs: { x: uniform([b, w.steps!, features], 17), y: uniform([b, 1], 18) },
        params: { kernel: kernel([features, 4 * units], 19), recurrentKernel: kernel([units, 4 * units], 20), bias: zeros([4 * units]), wd: kernel([units, 1], 21), bd: zeros([1]) },
      };
    }
  }
}

/** Transposes a host array by `perm` (for engines with other layouts, e.g. NCHW). */
export function transposeHost(a: HostArray, perm: readonly number[]): HostArray {
  const shape = perm.map((p) => a.shape[p]!);
  const strides = a.shape.map((_, i) => a.shape.slice(i + 1).reduce((x, y) => x * y, 1));
  const out = new Float32Array(a.values.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += idx[d]! * strides[perm[d]!]!;
    out[o] = a.values[src]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return { shape, values: out };
}
