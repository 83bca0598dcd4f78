// SimpleRNN, LSTM and GRU layers: values against a step-by-step composition of ops, WebGPU
// against the CPU, gradients against finite differences (returnSequences, returnState,
// initialState), dispatch counts over T steps, and the fused cell kernel in explain().

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth, countWork, expectNoGpuErrors, initBoth, randomTensor, useBackend, wg } from '../helpers';
import { checkGpuMatchesCpu, checkGradients, rng, uniform } from '../autograd/gradcheck';
import type { Tensor } from '../../src/node';
import { gruReference, lstmReference, simpleRnnReference, type RecurrentWeights } from './recurrent-reference';

beforeAll(initBoth);
afterAll(expectNoGpuErrors);

type Kind = 'lstm' | 'gru' | 'simpleRNN';
const gatesOf: Record<Kind, number> = { lstm: 4, gru: 3, simpleRNN: 1 };
const B = 2, T = 3, I = 2, H = 3;

/** Seeded weights of a layer of `kind` (GRU with a recurrent bias). */
function weights(kind: Kind, seed: number): RecurrentWeights {
  const g = gatesOf[kind] * H;
  return {
    kernel: randomTensor([I, g], seed, -0.8, 0.8),
    recurrentKernel: randomTensor([H, g], seed + 1, -0.8, 0.8),
    bias: randomTensor([g], seed + 2, -0.5, 0.5),
    recurrentBias: kind === 'gru' ? randomTensor([g], seed + 3, -0.5, 0.5) : undefined,
  };
}

type AnyRecurrent = wg.layers.LSTM | wg.layers.GRU | wg.layers.SimpleRNN;

/** A layer of `kind` whose parameters are `w` (set after building). */
function layerWith(kind: Kind, w: RecurrentWeights, opts: { returnSequences?: boolean; returnState?: boolean; activation?: 'relu' } = {}): AnyRecurrent {
  const layer = kind === 'simpleRNN' ? wg.layers.simpleRNN({ units: H, inputShape: [T, I], ...opts }) : wg.layers[kind]({ units: H, inputShape: [T, I], ...opts });
  layer.build([null, T, I]);
  layer.kernel = w.kernel;
  layer.recurrentKernel = w.recurrentKernel;
  layer.bias = w.bias;
  if (layer instanceof wg.layers.GRU) layer.recurrentBias = w.recurrentBias!;
  return layer;
}

function reference(kind: Kind, x: Tensor, w: RecurrentWeights, states: Tensor[], act = (a: Tensor) => a.tanh()) {
  if (kind === 'lstm') return lstmReference(x, w, states[0], states[1]);
  if (kind === 'gru') return gruReference(x, w, states[0]);
  return simpleRnnReference(x, w, states[0], act);
}

const stateCount = (kind: Kind) => (kind === 'lstm' ? 2 : 1);
const kinds: Kind[] = ['lstm', 'gru', 'simpleRNN'];

describe.each(kinds)('%s values', (kind) => {
  it.each([true, false])('match a step-by-step composition of ops (returnSequences %s, zero initial state)', async (returnSequences) => {
    const expected = await (async () => {
      await useBackend('cpu');
      const w = weights(kind, 10);
      const zeros = Array.from({ length: stateCount(kind) }, () => wg.zeros([B, H]));
      const ref = reference(kind, randomTensor([B, T, I], 3), w, zeros);
      return (returnSequences ? ref.hs : ref.h).data();
    })();
    await checkBoth(() => layerWith(kind, weights(kind, 10), { returnSequences }).apply(randomTensor([B, T, I], 3)) as Tensor, expected, { atol: 1e-5, rtol: 1e-4 });
  });

  it('return the final states with returnState, starting from initialState', async () => {
    const states = () => Array.from({ length: stateCount(kind) }, (_, s) => randomTensor([B, H], 20 + s));
    await useBackend('cpu');
    const ref = reference(kind, randomTensor([B, T, I], 4), weights(kind, 30), states());
    const finals: Tensor[] = 'c' in ref ? [ref.h, ref.c as Tensor] : [ref.h];
    for (let s = 0; s <= finals.length; s++) {
      const expected = await (s === 0 ? ref.hs : finals[s - 1]).data();
      await checkBoth(() => {
        const out = layerWith(kind, weights(kind, 30), { returnSequences: true, returnState: true }).apply(randomTensor([B, T, I], 4), { initialState: states() }) as Tensor[];
        expect(out.length).toBe(1 + stateCount(kind));
        return out[s];
      }, expected, { atol: 1e-5, rtol: 1e-4 });
    }
  });
});

it('simpleRNN with relu matches the composition', async () => {
  await useBackend('cpu');
  const ref = simpleRnnReference(randomTensor([B, T, I], 5), weights('simpleRNN', 40), wg.zeros([B, H]), (a) => a.relu());
  const expected = await ref.hs.data();
  await checkBoth(() => layerWith('simpleRNN', weights('simpleRNN', 40), { returnSequences: true, activation: 'relu' }).apply(randomTensor([B, T, I], 5)) as Tensor, expected, { atol: 1e-5, rtol: 1e-4 });
});

/** f(x, kernel, recurrentKernel, bias[, recurrentBias], ...initial states) through the layer. */
function layerFunction(kind: Kind, opts: { returnSequences: boolean; withState: boolean }) {
  const extra = kind === 'gru' ? 1 : 0;
  return (...xs: Tensor[]) => {
    const [x, kernel, recurrentKernel, bias] = xs;
    const w: RecurrentWeights = { kernel, recurrentKernel, bias, recurrentBias: extra ? xs[4] : undefined };
    const layer = layerWith(kind, w, { returnSequences: opts.returnSequences, returnState: true });
    const initialState = opts.withState ? xs.slice(4 + extra) : undefined;
    const out = layer.apply(x, { initialState }) as Tensor[];
    // Every output the layer gives takes part: the sequence or last h, and each final state.
    return out.map((o) => o.reshape([-1])).reduce((a, b) => wg.concat([a, b]));
  };
}

function gradInputs(kind: Kind, withState: boolean, seed: number) {
  const next = rng(seed);
  const g = gatesOf[kind] * H;
  const shapes = [[B, T, I], [I, g], [H, g], [g], ...(kind === 'gru' ? [[g]] : []), ...(withState ? Array.from({ length: stateCount(kind) }, () => [B, H]) : [])];
  return shapes.map((s) => uniform(next, s, { lo: -0.8, hi: 0.8 }));
}

describe.each(kinds)('%s gradients', (kind) => {
  beforeAll(() => useBackend('cpu'));
  it.each([
    [true, true],
    [false, false],
  ])('match finite differences (returnSequences %s, initialState %s)', async (returnSequences, withState) => {
    await useBackend('cpu');
    await checkGradients(layerFunction(kind, { returnSequences, withState }), gradInputs(kind, withState, 900 + gatesOf[kind]));
  });

  it('on WebGPU equal the CPU', async () => {
    await checkGpuMatchesCpu(layerFunction(kind, { returnSequences: true, withState: true }), gradInputs(kind, true, 950 + gatesOf[kind]));
  });
});

// 140 units: more than a workgroup's 64 threads and than the LSTM backward's block of 128 units (a
// partial second block); 6 rows: a full tile of 4 rows and a partial one.
describe.each(kinds)('%s with more units than a workgroup has threads and more rows than a tile', (kind) => {
  it('computes values and gradients on WebGPU equal to the CPU', async () => {
    const [b, t, i, h] = [6, 4, 5, 140];
    const make = () => (kind === 'simpleRNN' ? wg.layers.simpleRNN({ units: h, returnSequences: true }) : wg.layers[kind]({ units: h, returnSequences: true }));
    const run = () => {
      wg.seed(12);
      const layer = make();
      const x = randomTensor([b, t, i], 13).requiresGrad_();
      const y = layer.apply(x) as Tensor;
      y.mul(randomTensor([b, t, h], 14)).sum().backward();
      return wg.concat([y.reshape([-1]), x.grad!.reshape([-1]), ...layer.parameters().map((p) => p.grad!.reshape([-1]))]);
    };
    await checkBoth(run, undefined, { atol: 1e-4, rtol: 1e-3 });
  });
});

// The LSTM backward ends each batch row with the initial states' gradients only when they take
// some: here they do, over two tiles of rows (6 rows, the second partial) and 140 units.
it('lstm initial states that take gradients get them on WebGPU equal to the CPU, over more rows than a tile', async () => {
  const [b, t, i, h] = [6, 3, 5, 140];
  const run = () => {
    wg.seed(15);
    const layer = wg.layers.lstm({ units: h, returnSequences: true });
    const states = [randomTensor([b, h], 17).requiresGrad_(), randomTensor([b, h], 18).requiresGrad_()];
    const y = layer.apply(randomTensor([b, t, i], 16), { initialState: states }) as Tensor;
    y.mul(randomTensor([b, t, h], 19)).sum().backward();
    return wg.concat([y.reshape([-1]), ...states.map((s) => s.grad!.reshape([-1])), ...layer.parameters().map((p) => p.grad!.reshape([-1]))]);
  };
  await checkBoth(run, undefined, { atol: 1e-4, rtol: 1e-3 });
});

/** Dispatches of a forward pass, and of forward + backward, of a layer over `steps` steps. */
async function dispatches(kind: Kind, steps: number): Promise<{ forward: number; training: number }> {
  await useBackend('webgpu');
  const make = () => (kind === 'simpleRNN' ? wg.layers.simpleRNN({ units: 16, returnSequences: true }) : wg.layers[kind]({ units: 16, returnSequences: true }));
  const x = randomTensor([4, steps, 8], 6);
  const layer = make();
  layer.build([null, steps, 8]);
  // Weights are drawn on the device with the first realize; count what comes after.
  wg.realize(...layer.parameters());
  const forward = await countWork(() => (layer.apply(x) as Tensor).data());
  const training = await countWork(async () => {
    const loss = (layer.apply(x) as Tensor).square().mean();
    loss.backward();
    wg.realize(...layer.parameters().map((p) => p.grad!), loss);
  });
  return { forward: forward.dispatches, training: training.dispatches };
}

describe('recurrent layers run as few kernels', () => {
  it.each(kinds.flatMap((k) => [16, 64].map((t) => [k, t] as const)))('%s over %i steps: ≤ T + 2 dispatches forward, ≤ 3T + 4 with backward', async (kind, steps) => {
    const { forward, training } = await dispatches(kind, steps);
    console.log(`${kind} T=${steps}: forward ${forward} dispatches, forward+backward ${training}`);
    expect(forward).toBeLessThanOrEqual(steps + 2);
    expect(training).toBeLessThanOrEqual(3 * steps + 4);
  });

  it('explain shows the fused LSTM cell kernel', async () => {
    await useBackend('webgpu');
    const layer = wg.layers.lstm({ units: 4, inputShape: [5, 3] });
    const text = wg.explain(layer.apply(randomTensor([2, 5, 3], 7)) as Tensor);
    expect(text).toMatch(/lstmCell/);
    expect(text).toMatch(/matmul/);
  });
});
