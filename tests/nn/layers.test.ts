// The layers of wg.layers: parameter layouts and counts (Keras summary() numbers for the same
// configurations), output shapes without running, values on both backends, ShapeError at the
// call naming the layer, its place in the model and the shapes, and rebuilding from config.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth, countWork, expectNoGpuErrors, initBoth, randomTensor, refMatmul, seeded, useBackend, wg } from '../helpers';
import type { Tensor } from '../../src/node';

beforeAll(initBoth);
afterAll(expectNoGpuErrors);

type AnyLayer = wg.nn.Layer<wg.nn.LayerOptions, unknown, unknown>;

/** [layer, input shape without batch, parameter count Keras reports, output shape Keras reports]. */
const summaries: [string, () => AnyLayer, number[], number, (number | null)[]][] = [
  ['Dense(64) on 784', () => wg.layers.dense({ units: 64 }), [784], 50240, [null, 64]],
  ['Dense(10), no bias, on [5, 64]', () => wg.layers.dense({ units: 10, useBias: false }), [5, 64], 640, [null, 5, 10]],
  ['Conv2D(32, 3×3) on 32×32×3', () => wg.layers.conv2d({ filters: 32, kernelSize: 3 }), [32, 32, 3], 896, [null, 30, 30, 32]],
  ['Conv2D(64, 3×3, strides 2, same) on 15×15×32', () => wg.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same' }), [15, 15, 32], 18496, [null, 8, 8, 64]],
  ['Conv2D(8, 3×3, groups 2) on 6×6×4', () => wg.layers.conv2d({ filters: 8, kernelSize: 3, groups: 2 }), [6, 6, 4], 3 * 3 * 2 * 8 + 8, [null, 4, 4, 8]],
  ['Conv1D(16, 5) on 100×8', () => wg.layers.conv1d({ filters: 16, kernelSize: 5 }), [100, 8], 656, [null, 96, 16]],
  ['Conv2DTranspose(16, 3×3, strides 2, same) on 8×8×32', () => wg.layers.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: 'same' }), [8, 8, 32], 4624, [null, 16, 16, 16]],
  ['MaxPooling2D(2) on 30×30×32', () => wg.layers.maxPooling2d({ poolSize: 2 }), [30, 30, 32], 0, [null, 15, 15, 32]],
  ['AveragePooling2D(3, strides 2, same) on 32×32×3', () => wg.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }), [32, 32, 3], 0, [null, 16, 16, 3]],
  ['GlobalAveragePooling2D on 7×7×64', () => wg.layers.globalAveragePooling2d(), [7, 7, 64], 0, [null, 64]],
  ['Flatten on 7×7×64', () => wg.layers.flatten(), [7, 7, 64], 0, [null, 3136]],
  ['Dropout(0.5) on 128', () => wg.layers.dropout({ rate: 0.5 }), [128], 0, [null, 128]],
  ['Activation(relu) on 4×4', () => wg.layers.activation({ activation: 'relu' }), [4, 4], 0, [null, 4, 4]],
  ['BatchNormalization on 64', () => wg.layers.batchNormalization(), [64], 256, [null, 64]],
  ['LayerNormalization on 10×64', () => wg.layers.layerNormalization(), [10, 64], 128, [null, 10, 64]],
  ['Embedding(1000, 64) on 10', () => wg.layers.embedding({ inputDim: 1000, outputDim: 64 }), [10], 64000, [null, 10, 64]],
  ['SimpleRNN(32, returnSequences) on 10×8', () => wg.layers.simpleRNN({ units: 32, returnSequences: true }), [10, 8], 1312, [null, 10, 32]],
  ['LSTM(64) on 32 features', () => wg.layers.lstm({ units: 64 }), [20, 32], 24832, [null, 64]],
  ['GRU(64) on 32 features (reset_after)', () => wg.layers.gru({ units: 64 }), [20, 32], 18816, [null, 64]],
];

describe('parameter counts and output shapes match Keras summary()', () => {
  it.each(summaries)('%s', async (_, make, inputShape, params, outShape) => {
    const layer = make();
    layer.build([null, ...inputShape]);
    expect(layer.countParams()).toBe(params);
    expect(layer.outputShape([null, ...inputShape])).toEqual(outShape);
    // The layer computes what it says: run it on a batch of 2.
    await useBackend('cpu');
    const x = layer.className === 'Embedding' ? wg.randint(0, 1000, [2, ...inputShape]) : wg.randn([2, ...inputShape]);
    expect((layer.apply(x) as Tensor).shape).toEqual([2, ...outShape.slice(1)]);
    await useBackend('webgpu');
  });
});

describe('parameter layouts', () => {
  it('Dense kernel [in, out] and bias [out]; Conv2D kernel [KH, KW, Cin/groups, filters]', () => {
    const dense = wg.layers.dense({ units: 3, inputShape: [5] });
    expect([dense.kernel!.shape, dense.bias!.shape]).toEqual([[5, 3], [3]]);
    const conv = wg.layers.conv2d({ filters: 6, kernelSize: [3, 2], groups: 2, inputShape: [8, 8, 4] });
    expect(conv.kernel!.shape).toEqual([3, 2, 2, 6]);
    expect(wg.layers.conv2dTranspose({ filters: 5, kernelSize: 3, inputShape: [4, 4, 7] }).kernel!.shape).toEqual([3, 3, 5, 7]);
    expect(wg.layers.conv1d({ filters: 5, kernelSize: 3, inputShape: [9, 2] }).kernel!.shape).toEqual([3, 2, 5]);
  });

  it('LSTM [I, 4H], [H, 4H], [4H] with the forget block at one; GRU adds recurrentBias [3H]', async () => {
    const lstm = wg.layers.lstm({ units: 2, inputShape: [4, 3] });
    expect(lstm.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['kernel', [3, 8]], ['recurrentKernel', [2, 8]], ['bias', [8]]]);
    expect(Array.from(await lstm.bias!.data())).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    const gru = wg.layers.gru({ units: 2, inputShape: [4, 3] });
    expect(gru.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['kernel', [3, 6]], ['recurrentKernel', [2, 6]], ['bias', [6]], ['recurrentBias', [6]]]);
  });

  it('names layers the Keras way, one counter per kind', () => {
    const a = wg.layers.dense({ units: 1 });
    const b = wg.layers.dense({ units: 1 });
    expect(b.name).toMatch(/^dense_\d+$/);
    expect(a.name).not.toBe(b.name);
    expect(wg.layers.dense({ units: 1, name: 'out' }).name).toBe('out');
  });
});

describe('layer values on both backends', () => {
  it('dense computes relu(x·kernel + bias)', async () => {
    const [x, k, b] = [seeded(6, 1), seeded(6, 2), seeded(2, 3)];
    const expected = refMatmul(x, k, 2, 3, 2).map((v, i) => Math.max(0, v + b[i % 2]));
    await checkBoth(() => {
      const layer = wg.layers.dense({ units: 2, activation: 'relu', inputShape: [3] });
      layer.kernel = wg.tensor(k).reshape([3, 2]);
      layer.bias = wg.tensor(b);
      return layer.apply(wg.tensor(x).reshape([2, 3]));
    }, expected, { atol: 1e-6 });
  });

  it('conv2d computes the convolution plus bias, then the activation', async () => {
    const w = randomTensor([3, 3, 2, 4], 5);
    const bias = randomTensor([4], 6);
    const x = randomTensor([2, 5, 5, 2], 7);
    await useBackend('cpu');
    const expected = await wg.conv2d(x, w, { padding: 'same', bias }).sigmoid().data();
    await checkBoth(() => {
      const layer = wg.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'sigmoid', inputShape: [5, 5, 2] });
      layer.kernel = randomTensor([3, 3, 2, 4], 5);
      layer.bias = randomTensor([4], 6);
      return layer.apply(randomTensor([2, 5, 5, 2], 7));
    }, expected, { atol: 1e-5 });
  });

  it('dropout is active in training and the identity after eval()', async () => {
    const layer = wg.layers.dropout({ rate: 0.5 });
    const x = wg.ones([20, 20]);
    const train = (await layer.apply(x).data()) as Float32Array;
    expect(train.some((v) => v === 0) && train.some((v) => v === 2)).toBe(true);
    layer.eval();
    expect(layer.apply(x)).toBe(x);
  });

  it('layerNormalization equals wg.layerNorm with its γ and β', async () => {
    await checkBoth(() => {
      const layer = wg.layers.layerNormalization({ inputShape: [6] });
      return layer.apply(randomTensor([3, 6], 8));
    });
  });

  it('embedding takes rows of its table', async () => {
    const layer = wg.layers.embedding({ inputDim: 4, outputDim: 2, inputShape: [3] });
    const table = (await layer.embeddings!.data()) as Float32Array;
    expect(table.every((v) => Math.abs(v) <= 0.05)).toBe(true);
    const out = await layer.apply(wg.tensor([[3, 0, 3]], { dtype: 'int32' })).data();
    expect(Array.from(out)).toEqual([table[6], table[7], table[0], table[1], table[6], table[7]]);
  });
});

describe('shape errors at the call', () => {
  it('name the layer, its place in the model and both shapes', () => {
    const layer = wg.layers.dense({ units: 4, inputShape: [784] });
    layer.positionInModel = 2;
    const call = () => layer.apply(wg.zeros([32, 100]));
    expect(call).toThrow(wg.ShapeError);
    expect(call).toThrow(new RegExp(`Dense '${layer.name}' \\(layer 2 of the model\\): expected an input of shape \\[\\.\\.\\.,784\\], got \\[32,100\\]`));
  });

  it('reject the wrong rank for convolution, pooling and recurrent layers', () => {
    expect(() => wg.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [8, 8, 3] }).apply(wg.zeros([8, 8, 3]))).toThrow(/expected an input of shape \[null,null,null,3\], got \[8,8,3\]/);
    expect(() => wg.layers.maxPooling2d().apply(wg.zeros([4, 4]))).toThrow(wg.ShapeError);
    expect(() => wg.layers.lstm({ units: 2 }).apply(wg.zeros([4, 3]))).toThrow(/sequences \[batch, time, features\]/);
    expect(() => wg.layers.gru({ units: 2, inputShape: [5, 3] }).apply(wg.zeros([1, 5, 4]))).toThrow(/\[null,null,3\], got \[1,5,4\]/);
  });

  it('reject initial states of the wrong shape or count', () => {
    const lstm = wg.layers.lstm({ units: 2, inputShape: [5, 3] });
    expect(() => lstm.apply(wg.zeros([1, 5, 3]), { initialState: [wg.zeros([1, 2])] })).toThrow(wg.ArgumentError);
    expect(() => lstm.apply(wg.zeros([1, 5, 3]), { initialState: [wg.zeros([1, 2]), wg.zeros([2, 2])] })).toThrow(/each initial state must have shape \[1,2\]/);
  });

  it('reject bad options when the layer is made', () => {
    expect(() => wg.layers.dense({ units: 0 })).toThrow(wg.ArgumentError);
    expect(() => wg.layers.dense({ units: 2, activation: 'nope' as 'relu' })).toThrow(/unknown activation 'nope'/);
    expect(() => wg.layers.dropout({ rate: 1.5 })).toThrow(wg.ArgumentError);
    expect(() => wg.layers.simpleRNN({ units: 2, activation: 'elu' as 'relu' })).toThrow(/tanh, relu, sigmoid, linear/);
  });
});

describe('layers rebuild from their config', () => {
  it.each(summaries)('%s', (_, make, inputShape) => {
    const layer = make();
    const copy = wg.nn.layerFromConfig(layer.className, { ...layer.getConfig(), name: undefined });
    expect(copy.className).toBe(layer.className);
    expect(copy.outputShape([null, ...inputShape])).toEqual(layer.outputShape([null, ...inputShape]));
    expect(copy.countParams()).toBe(layer.countParams());
  });
});

describe('dispatches', () => {
  it('a Dense-ReLU-Dense forward is 2 kernels; a conv-relu-pool block 2; a batch-norm layer in training 4 (mean, variance, both moving statistics in one kernel, the normalization)', async () => {
    await useBackend('webgpu');
    const fc1 = wg.layers.dense({ units: 32, activation: 'relu', inputShape: [16] });
    const fc2 = wg.layers.dense({ units: 4, inputShape: [32] });
    const conv = wg.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 3] });
    const pool = wg.layers.maxPooling2d();
    const bn = wg.layers.batchNormalization({ inputShape: [16] });
    // Weights are drawn on the device with the first realize; count what comes after.
    wg.realize(...[fc1, fc2, conv, bn].flatMap((l) => [...l.parameters(), ...l.buffers()]));
    const x = randomTensor([8, 16], 1);
    const mlp = await countWork(() => fc2.apply(fc1.apply(x)).data());
    const img = randomTensor([2, 8, 8, 3], 2);
    const block = await countWork(() => pool.apply(conv.apply(img)).data());
    const bnTrain = await countWork(() => bn.apply(x).data());
    console.log(`dispatches: dense-relu-dense ${mlp.dispatches}, conv-relu-pool ${block.dispatches}, batch norm (training, with moving statistics) ${bnTrain.dispatches}`);
    expect(mlp.dispatches).toBe(2);
    expect(block.dispatches).toBe(2);
    expect(bnTrain.dispatches).toBe(4);
  });
});
