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
  /** Kernel dispatches of one `step` where the engine can count them. */
  dispatchesOf?(step: PreparedStep): Promise<number>;
}

export const MLP_SIZES = [784, 256, 128, 10] as const;
export const LSTM = { batch: 32, steps: 32, features: 32, units: 128 } as const;
export const CONV = { batch: 32, size: 32, cin: 16, cout: 32 } as const;
export const ADAM = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

const mlpFlops = (b: number) => 2 * b * (784 * 256 + 256 * 128 + 128 * 10);
const cnnFlops = (b: number) => 2 * b * (28 * 28 * 32 * 9 + 14 * 14 * 64 * 9 * 32 + 3136 * 128 + 128 * 10);
const lstmFlops = 2 * LSTM.batch * LSTM.steps * (LSTM.features + LSTM.units) * 4 * LSTM.units;

export const workloads: readonly Workload[] = [
  ...([256, 512, 1024] as const).map((n): Workload => ({ id: `W1-${n}`, name: `W1 matmul ${n}`, kind: 'forward', flops: 2 * n ** 3 })),
  { id: 'W2', name: 'W2 MLP train (Adam, b128)', kind: 'train', flops: 3 * mlpFlops(128) },
  { id: 'W3', name: 'W3 CNN train (Adam, b64)', kind: 'train', flops: 3 * cnnFlops(64) },
  { id: 'W4', name: 'W4 CNN inference (b256)', kind: 'forward', flops: cnnFlops(256) },
  { id: 'W5', name: 'W5 conv2d 3×3 16→32 (b32)', kind: 'forward', flops: 2 * CONV.batch * CONV.size ** 2 * CONV.cout * 9 * CONV.cin },
  { id: 'W6', name: 'W6 LSTM(128) train (32 steps, b32)', kind: 'train', flops: 3 * lstmFlops },
];

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
export function workloadData(id: WorkloadId): WorkloadData {
  switch (id) {
    case 'W1-256':
    case 'W1-512':
    case 'W1-1024': {
      const n = Number(id.slice(3));
      return { inputs: { a: uniform([n, n], 1), b: uniform([n, n], 2) }, params: {} };
    }
    case 'W2': {
      const { labels, oneHot } = classes(128, 3);
      return {
        inputs: { x: uniform([128, 784], 4, 0, 1), y: oneHot },
        labels,
        params: { w1: kernel([784, 256], 5), b1: zeros([256]), w2: kernel([256, 128], 6), b2: zeros([128]), w3: kernel([128, 10], 7), b3: zeros([10]) },
      };
    }
    case 'W3': {
      const { labels, oneHot } = classes(64, 8);
      return { inputs: { x: uniform([64, 28, 28, 1], 9, 0, 1), y: oneHot }, labels, params: cnnParams() };
    }
    case 'W4':
      return { inputs: { x: uniform([256, 28, 28, 1], 10, 0, 1) }, params: cnnParams() };
    case 'W5':
      return { inputs: { x: uniform([CONV.batch, CONV.size, CONV.size, CONV.cin], 15), w: kernel([3, 3, CONV.cin, CONV.cout], 16) }, params: {} };
    case 'W6': {
      const { batch, steps, features, units } = LSTM;
      return {
        inputs: { x: uniform([batch, steps, features], 17), y: uniform([batch, 1], 18) },
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
