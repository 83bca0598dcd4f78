// webgrad's side of the benchmark, on its webgpu or cpu backend: each workload through the public
// API as a user writes it (ops, `wg.losses`, `wg.optim.Adam`, `wg.layers.lstm`), dispatches
// counted by `wg.stats()`.

import * as wg from 'webgrad';
import { webgpuBackend } from '../../src/runtime';
import { ADAM, LSTM_SIZES, type Engine, type HostArray, type PreparedStep, type Workload, type WorkloadData } from '../workloads';

const upload = (a: HostArray): wg.Tensor => wg.tensor(a.values, { shape: a.shape });

function forward(out: () => wg.Tensor): PreparedStep {
  return {
    step: () => wg.tidy(() => out().abs().mean()).item(),
    dispose: () => undefined,
  };
}

function training(params: wg.Tensor[], loss: () => wg.Tensor, extra: wg.Tensor[]): PreparedStep {
  const opt = new wg.optim.Adam(params, { lr: ADAM.lr, betas: [ADAM.beta1, ADAM.beta2], eps: ADAM.eps });
  return {
    async step() {
      opt.zeroGrad();
      const l = loss();
      l.backward();
      opt.step();
      const value = await l.item();
      l.dispose();
      return value;
    },
    dispose() {
      opt.zeroGrad();
      for (const t of [...params, ...extra]) t.dispose();
    },
  };
}

function cnnLogits(x: wg.Tensor, p: Record<string, wg.Tensor>): wg.Tensor {
  let h = wg.conv2d(x, p.k1!, { padding: 'same', bias: p.b1! }).relu();
  h = wg.maxPool2d(h, { kernelSize: 2 });
  h = wg.conv2d(h, p.k2!, { padding: 'same', bias: p.b2! }).relu();
  h = wg.maxPool2d(h, { kernelSize: 2 });
  h = h.reshape([h.shape[0]!, -1]).matmul(p.w3!).add(p.b3!).relu();
  return h.matmul(p.w4!).add(p.b4!);
}

function uploadAll(data: Record<string, HostArray>, grad: boolean): Record<string, wg.Tensor> {
  const out: Record<string, wg.Tensor> = {};
  for (const [k, v] of Object.entries(data)) out[k] = grad ? upload(v).requiresGrad_() : upload(v);
  wg.realize(...Object.values(out));
  return out;
}

function prepare(workload: Workload, data: WorkloadData): PreparedStep {
  const inputs = uploadAll(data.inputs, false);
  switch (workload.id) {
    case 'W1-256':
    case 'W1-512':
    case 'W1-1024':
      return forward(() => inputs.a!.matmul(inputs.b!));
    case 'W5':
      return forward(() => wg.conv2d(inputs.x!, inputs.w!, { padding: 'same' }));
    case 'W4': {
      const p = uploadAll(data.params, false);
      return forward(() => cnnLogits(inputs.x!, p));
    }
    case 'W2': {
      const p = uploadAll(data.params, true);
      const labels = wg.tensor(data.labels!, { shape: [data.labels!.length], dtype: 'int32' });
      const logits = () => inputs.x!.matmul(p.w1!).add(p.b1!).relu().matmul(p.w2!).add(p.b2!).relu().matmul(p.w3!).add(p.b3!);
      return training(Object.values(p), () => wg.losses.crossEntropy(logits(), labels), [labels, ...Object.values(inputs)]);
    }
    case 'W3': {
      const p = uploadAll(data.params, true);
      const labels = wg.tensor(data.labels!, { shape: [data.labels!.length], dtype: 'int32' });
      return training(Object.values(p), () => wg.losses.crossEntropy(cnnLogits(inputs.x!, p), labels), [labels, ...Object.values(inputs)]);
    }
    case 'W6': {
      const lstm = wg.layers.lstm({ units: LSTM_SIZES.units, inputShape: data.inputs.x!.shape.slice(1) });
      const p = uploadAll(data.params, true);
      lstm.loadStateDict({ kernel: p.kernel!, recurrentKernel: p.recurrentKernel!, bias: p.bias! });
      const head = [p.wd!, p.bd!];
      const params = [...lstm.parameters(), ...head];
      const predict = () => (lstm.apply(inputs.x!) as wg.Tensor).matmul(p.wd!).add(p.bd!);
      return training(params, () => wg.losses.mse(predict(), inputs.y!), [p.kernel!, p.recurrentKernel!, p.bias!, ...Object.values(inputs)]);
    }
  }
}

/** webgrad on `backend`, initialized now. */
export async function load(backend: 'webgpu' | 'cpu'): Promise<Engine> {
  await wg.init({ backend });
  const engine: Engine = {
    name: `webgrad-${backend}`,
    prepare: async (workload, data) => {
      await wg.setBackend(backend);
      return prepare(workload, data);
    },
  };
  // WebGPU counts compute dispatches; the CPU backend counts its passes (one loop or kernel each).
  // Counted on a steady-state step: after any background swap to the fast kernels (tiered
  // compilation on SwiftShader) has landed, since the swap writes its new launches' sizes once.
  engine.countsOf = async (step) => {
    await webgpuBackend()?.plans.upgraded();
    wg.resetStats();
    await step.step();
    const { dispatches, bytesUploaded } = wg.stats();
    return { dispatches, uploadedBytes: bytesUploaded };
  };
  return engine;
}
