// TensorFlow.js 4.22's side of the benchmark (webgpu, wasm or cpu backend): each workload in tf
// ops, trained with `tf.train.adam` through `minimize`, from the same host data and weights.

import * as tf from '@tensorflow/tfjs';
import { ADAM, LSTM_SIZES, type Engine, type HostArray, type PreparedStep, type Workload, type WorkloadData } from '../workloads';

const upload = (a: HostArray): tf.Tensor => tf.tensor(a.values, a.shape);

function forward(out: () => tf.Tensor): PreparedStep {
  return {
    async step() {
      const m = tf.tidy(() => tf.mean(tf.abs(out())));
      const v = (await m.data())[0]!;
      m.dispose();
      return v;
    },
    dispose: () => undefined,
  };
}

function training(vars: tf.Variable[], loss: () => tf.Scalar, extra: tf.Tensor[]): PreparedStep {
  const opt = tf.train.adam(ADAM.lr, ADAM.beta1, ADAM.beta2, ADAM.eps);
  return {
    async step() {
      const l = opt.minimize(loss, true, vars)!;
      const v = (await l.data())[0]!;
      l.dispose();
      return v;
    },
    dispose() {
      opt.dispose();
      for (const t of [...vars, ...extra]) t.dispose();
    },
  };
}

function cnnLogits(x: tf.Tensor, p: Record<string, tf.Tensor>): tf.Tensor {
  let h = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, p.k1 as tf.Tensor4D, 1, 'same'), p.b1!)) as tf.Tensor4D;
  h = tf.maxPool(h, 2, 2, 'valid');
  h = tf.relu(tf.add(tf.conv2d(h, p.k2 as tf.Tensor4D, 1, 'same'), p.b2!)) as tf.Tensor4D;
  h = tf.maxPool(h, 2, 2, 'valid');
  const f = tf.relu(tf.add(tf.matMul(tf.reshape(h, [h.shape[0], -1]), p.w3 as tf.Tensor2D), p.b3!));
  return tf.add(tf.matMul(f as tf.Tensor2D, p.w4 as tf.Tensor2D), p.b4!);
}

const crossEntropy = (logits: tf.Tensor, oneHot: tf.Tensor): tf.Scalar => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), oneHot), -1))) as tf.Scalar;

/** The last hidden state of an LSTM (gates i, f, g, o) over x [batch, time, features]. */
function lstmLast(x: tf.Tensor, k: tf.Tensor, r: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const [batch, steps, features] = x.shape as [number, number, number];
  const u = LSTM_SIZES.units;
  const xw = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [batch * steps, features]), k as tf.Tensor2D), b), [batch, steps, 4 * u]);
  let h: tf.Tensor = tf.zeros([batch, u]);
  let c: tf.Tensor = tf.zeros([batch, u]);
  for (let t = 0; t < steps; t++) {
    const z = tf.add(tf.reshape(tf.slice(xw, [0, t, 0], [batch, 1, 4 * u]), [batch, 4 * u]), tf.matMul(h as tf.Tensor2D, r as tf.Tensor2D));
    const [i, f, g, o] = tf.split(z, 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
    h = tf.mul(tf.sigmoid(o), tf.tanh(c));
  }
  return h;
}

function uploadAll(data: Record<string, HostArray>): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, upload(v)]));
}
const variables = (data: Record<string, HostArray>): Record<string, tf.Variable> => Object.fromEntries(Object.entries(data).map(([k, v]) => [k, tf.variable(upload(v))]));

function prepare(workload: Workload, data: WorkloadData): PreparedStep {
  const x = uploadAll(data.inputs);
  switch (workload.id) {
    case 'W1-256':
    case 'W1-512':
    case 'W1-1024':
      return forward(() => tf.matMul(x.a as tf.Tensor2D, x.b as tf.Tensor2D));
    case 'W5':
      return forward(() => tf.conv2d(x.x as tf.Tensor4D, x.w as tf.Tensor4D, 1, 'same'));
    case 'W4': {
      const p = uploadAll(data.params);
      return forward(() => cnnLogits(x.x!, p));
    }
    case 'W2': {
      const p = variables(data.params);
      const logits = () => {
        const h1 = tf.relu(tf.add(tf.matMul(x.x as tf.Tensor2D, p.w1 as tf.Tensor2D), p.b1!)) as tf.Tensor2D;
        const h2 = tf.relu(tf.add(tf.matMul(h1, p.w2 as tf.Tensor2D), p.b2!)) as tf.Tensor2D;
        return tf.add(tf.matMul(h2, p.w3 as tf.Tensor2D), p.b3!);
      };
      return training(Object.values(p), () => crossEntropy(logits(), x.y!), Object.values(x));
    }
    case 'W3': {
      const p = variables(data.params);
      return training(Object.values(p), () => crossEntropy(cnnLogits(x.x!, p), x.y!), Object.values(x));
    }
    case 'W6': {
      const p = variables(data.params);
      const predict = () => tf.add(tf.matMul(lstmLast(x.x!, p.kernel!, p.recurrentKernel!, p.bias!) as tf.Tensor2D, p.wd as tf.Tensor2D), p.bd!);
      return training(Object.values(p), () => tf.mean(tf.square(tf.sub(predict(), x.y!))) as tf.Scalar, Object.values(x));
    }
  }
}

/** TensorFlow.js on `backend` (its webgpu and wasm backends are imported only here, when run). */
export async function load(backend: 'webgpu' | 'wasm' | 'cpu'): Promise<Engine> {
  if (backend === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend ${backend} did not initialize`);
  await tf.ready();
  return {
    name: `tfjs-${backend}`,
    prepare: async (workload, data) => {
      await tf.setBackend(backend);
      return prepare(workload, data);
    },
  };
}
