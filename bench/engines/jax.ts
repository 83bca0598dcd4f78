// jax-js's side of the benchmark (webgpu or wasm device): each workload as a jitted function,
// training steps as one jitted `valueAndGrad` plus Adam update, from the same host data and
// weights (images and kernels transposed to its NCHW / OIHW layouts on upload). jax-js arrays are
// reference-counted: every function consumes its arguments, `.ref` keeps one for another use.

import { defaultDevice, init, jit, lax, nn, numpy as np, tree, valueAndGrad } from '@jax-js/jax';
import { ADAM, LSTM_SIZES, transposeHost, type Engine, type HostArray, type PreparedStep, type Workload, type WorkloadData } from '../workloads';

type Params = Record<string, np.Array>;

const upload = (a: HostArray): np.Array => np.array(a.values).reshape(a.shape);

/** NHWC images → NCHW; HWIO kernels → OIHW. */
const nchw = (a: HostArray) => transposeHost(a, [0, 3, 1, 2]);
const oihw = (a: HostArray) => transposeHost(a, [3, 2, 0, 1]);

function forward(run: () => np.Array): PreparedStep {
  return { step: async () => (await run().data())[0]!, dispose: () => undefined };
}

/** 2×2 max pooling of NCHW as a reshape and a max over the window axes. */
function maxPool(h: np.Array): np.Array {
  const [b, c, hh, w] = h.shape as [number, number, number, number];
  return h.reshape([b, c, hh / 2, 2, w / 2, 2]).max([3, 5]);
}

function cnnLogits(x: np.Array, p: Params): np.Array {
  let h = nn.relu(lax.conv(x, p.k1!, [1, 1], 'SAME').add(p.b1!.reshape([1, 32, 1, 1])));
  h = maxPool(h);
  h = nn.relu(lax.conv(h, p.k2!, [1, 1], 'SAME').add(p.b2!.reshape([1, 64, 1, 1])));
  h = maxPool(h);
  const flat = h.transpose([0, 2, 3, 1]).reshape([h.shape[0]!, -1]);
  return np.matmul(nn.relu(np.matmul(flat, p.w3!).add(p.b3!)), p.w4!).add(p.b4!);
}

const crossEntropy = (logits: np.Array, oneHot: np.Array): np.Array => nn.logSoftmax(logits, -1).mul(oneHot).sum(-1).mean().neg();

function mlpLogits(x: np.Array, p: Params): np.Array {
  const h1 = nn.relu(np.matmul(x, p.w1!).add(p.b1!));
  const h2 = nn.relu(np.matmul(h1, p.w2!).add(p.b2!));
  return np.matmul(h2, p.w3!).add(p.b3!);
}

/** The last hidden state of an LSTM (gates i, f, g, o) over x [batch, time, features]. */
function lstmLast(x: np.Array, p: Params): np.Array {
  const [batch, steps, features] = x.shape as [number, number, number];
  const u = LSTM_SIZES.units;
  const xw = np.matmul(x.reshape([batch * steps, features]), p.kernel!).add(p.bias!).reshape([batch, steps, 4 * u]);
  const xs = np.unstack(xw, 1);
  const r = p.recurrentKernel!;
  let h = np.zeros([batch, u]);
  let c = np.zeros([batch, u]);
  for (const xt of xs) {
    const [i, f, g, o] = np.split(xt.add(np.matmul(h, r.ref)), 4, 1) as [np.Array, np.Array, np.Array, np.Array];
    c = nn.sigmoid(f).mul(c).add(nn.sigmoid(i).mul(np.tanh(g)));
    h = nn.sigmoid(o).mul(np.tanh(c.ref));
  }
  r.dispose();
  c.dispose();
  return h;
}

/** A jitted Adam step of `loss(params, x, y)`; params and moments are replaced each step. */
function training(loss: (p: Params, x: np.Array, y: np.Array) => np.Array, data: WorkloadData, upload4: (name: string, a: HostArray) => np.Array): PreparedStep {
  const { lr, beta1: b1, beta2: b2, eps } = ADAM;
  let p: Params = Object.fromEntries(Object.entries(data.params).map(([k, v]) => [k, upload4(k, v)]));
  let m: Params = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, np.zeros(v.shape)]));
  let v: Params = Object.fromEntries(Object.entries(p).map(([k, a]) => [k, np.zeros(a.shape)]));
  const x = upload4('x', data.inputs.x!);
  const y = upload(data.inputs.y!);
  const grads = valueAndGrad(loss);
  const step = jit((p: Params, m: Params, v: Params, x: np.Array, y: np.Array, c1: np.Array, c2: np.Array) => {
    const [value, g] = grads(tree.ref(p), x, y);
    const np2: Params = {};
    const nm: Params = {};
    const nv: Params = {};
    for (const k of Object.keys(p)) {
      const gk = (g as Params)[k]!;
      const mk = m[k]!.mul(b1).add(gk.ref.mul(1 - b1));
      const vk = v[k]!.mul(b2).add(np.square(gk).mul(1 - b2));
      np2[k] = p[k]!.sub(mk.ref.mul(c1.ref).div(np.sqrt(vk.ref.mul(c2.ref)).add(eps)));
      nm[k] = mk;
      nv[k] = vk;
    }
    c1.dispose();
    c2.dispose();
    return [value, np2, nm, nv] as [np.Array, Params, Params, Params];
  });
  let t = 0;
  return {
    async step() {
      t++;
      const [value, np2, nm, nv] = step(p, m, v, x.ref, y.ref, np.array(lr / (1 - b1 ** t)), np.array(1 / (1 - b2 ** t)));
      p = np2;
      m = nm;
      v = nv;
      return (await value.data())[0]!;
    },
    dispose() {
      step.dispose();
      tree.dispose([p, m, v, x, y]);
    },
  };
}

function prepare(workload: Workload, data: WorkloadData): PreparedStep {
  const cnnUpload = (name: string, a: HostArray) => upload(name === 'x' ? nchw(a) : name === 'k1' || name === 'k2' ? oihw(a) : a);
  switch (workload.id) {
    case 'W1-256':
    case 'W1-512':
    case 'W1-1024': {
      const a = upload(data.inputs.a!);
      const b = upload(data.inputs.b!);
      const f = jit((a: np.Array, b: np.Array) => np.abs(np.matmul(a, b)).mean());
      return { ...forward(() => f(a.ref, b.ref)), dispose: () => (f.dispose(), a.dispose(), b.dispose()) };
    }
    case 'W5': {
      const x = upload(nchw(data.inputs.x!));
      const w = upload(oihw(data.inputs.w!));
      const f = jit((x: np.Array, w: np.Array) => np.abs(lax.conv(x, w, [1, 1], 'SAME')).mean());
      return { ...forward(() => f(x.ref, w.ref)), dispose: () => (f.dispose(), x.dispose(), w.dispose()) };
    }
    case 'W4': {
      const x = upload(nchw(data.inputs.x!));
      const p: Params = Object.fromEntries(Object.entries(data.params).map(([k, v]) => [k, cnnUpload(k, v)]));
      const f = jit((x: np.Array, p: Params) => np.abs(cnnLogits(x, p)).mean());
      return { ...forward(() => f(x.ref, tree.ref(p))), dispose: () => (f.dispose(), tree.dispose([x, p])) };
    }
    case 'W2':
      return training((p, x, y) => crossEntropy(mlpLogits(x, p), y), data, (_n, a) => upload(a));
    case 'W3':
      return training((p, x, y) => crossEntropy(cnnLogits(x, p), y), data, cnnUpload);
    case 'W6':
      return training((p, x, y) => np.square(np.matmul(lstmLast(x, p), p.wd!).add(p.bd!).sub(y)).mean(), data, (_n, a) => upload(a));
  }
}

/** jax-js on `device` (imported only here, when run). */
export async function load(device: 'webgpu' | 'wasm'): Promise<Engine> {
  const found = await init(device);
  if (!found.includes(device)) throw new Error(`jax-js device ${device} did not initialize`);
  return {
    name: `jax-${device}`,
    prepare: async (workload, data) => {
      defaultDevice(device);
      return prepare(workload, data);
    },
  };
}
