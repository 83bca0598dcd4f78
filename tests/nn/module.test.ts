// wg.nn.Module (PyTorch style): parameters and buffers found in fields (arrays of modules too)
// with dotted names, train()/eval(), stateDict()/loadStateDict() with clear errors, and a
// two-layer MLP subclass that learns XOR with a hand-written SGD step.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countWork, expectClose, expectNoGpuErrors, initBoth, useBackend, wg } from '../helpers';
import type { Tensor } from '../../src/node';

beforeAll(initBoth);
afterAll(expectNoGpuErrors);

class Mlp extends wg.nn.Module {
  fc1 = wg.layers.dense({ units: 8, inputShape: [2], activation: 'tanh' });
  fc2 = wg.layers.dense({ units: 1, inputShape: [8] });
  override forward(x: Tensor): Tensor {
    return this.fc2.apply(this.fc1.apply(x)).sigmoid();
  }
}

class Stack extends wg.nn.Module {
  layers = [wg.layers.dense({ units: 3, inputShape: [4] }), wg.layers.batchNormalization({ inputShape: [3] }), wg.layers.dropout({ rate: 0.5 })];
  scale = wg.ones([1], { requiresGrad: true });
  constant = wg.ones([1]);
  override forward(x: Tensor): Tensor {
    return this.layers.reduce((h, l) => l.apply(h), x).mul(this.scale);
  }
}

describe('Module finds its parameters and buffers in its fields', () => {
  it("names parameters with dots: the module's own first, then each sub-module's in field order (as PyTorch)", () => {
    const names = new Stack().namedParameters().map(([n]) => n);
    expect(names).toEqual(['scale', 'layers.0.kernel', 'layers.0.bias', 'layers.1.gamma', 'layers.1.beta']);
  });

  it('keeps moving statistics as buffers, out of parameters() but in stateDict()', () => {
    const m = new Stack();
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['layers.1.movingMean', 'layers.1.movingVariance']);
    expect(m.parameters().some((p) => m.buffers().includes(p))).toBe(false);
    expect([...m.stateDict().keys()]).toEqual(['scale', 'layers.0.kernel', 'layers.0.bias', 'layers.1.gamma', 'layers.1.beta', 'layers.1.movingMean', 'layers.1.movingVariance']);
  });

  it('ignores tensors that do not require gradients unless registered as buffers', () => {
    expect(new Stack().parameters().length).toBe(5);
  });

  it('train() and eval() reach every sub-module', () => {
    const m = new Stack().eval();
    expect(m.namedModules().every(([, s]) => !s.training)).toBe(true);
    m.train();
    expect(m.layers.every((l) => l.training)).toBe(true);
  });

  it('countParams counts parameters and buffers, as Keras', () => {
    expect(new Stack().countParams()).toBe(4 * 3 + 3 + 4 * 3 + 1);
  });
});

describe('build', () => {
  class Lazy extends wg.nn.Module {
    fc = wg.layers.dense({ units: 4 });
    bn = wg.layers.batchNormalization();
    drop = wg.layers.dropout({ rate: 0.5 });
    override forward(x: Tensor): Tensor {
      return this.drop.apply(this.bn.apply(this.fc.apply(x)));
    }
  }

  it('creates lazily built parameters by tracing forward, running nothing and moving no statistic', async () => {
    await useBackend('webgpu');
    const net = new Lazy();
    expect(net.parameters()).toEqual([]);
    const work = await countWork(() => net.build([null, 3]));
    expect(work.dispatches).toBe(0);
    expect(net.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['fc.kernel', [3, 4]], ['fc.bias', [4]], ['bn.gamma', [4]], ['bn.beta', [4]]]);
    expect(Array.from(await net.bn.movingMean!.data())).toEqual([0, 0, 0, 0]);
    expect(net.namedModules().every(([, m]) => m.training)).toBe(true);
  });
});

describe('stateDict and loadStateDict', () => {
  it('round-trip into a fresh instance with equal outputs', async () => {
    for (const backend of ['cpu', 'webgpu'] as const) {
      await useBackend(backend);
      wg.seed(1);
      const a = new Mlp();
      wg.seed(2);
      const b = new Mlp();
      const x = wg.tensor([[0.5, -1], [2, 0.25]]);
      const before = await b.forward(x).data();
      b.loadStateDict(a.stateDict());
      const [ya, yb] = [await a.forward(x).data(), await b.forward(x).data()];
      expectClose(yb, ya);
      expect(Array.from(yb)).not.toEqual(Array.from(before));
      expect(b.fc1.kernel).not.toBe(a.fc1.kernel);
    }
  });

  it('names missing and unexpected keys', () => {
    const dict = new Mlp().stateDict();
    dict.delete('fc2.bias');
    dict.set('fc3.kernel', wg.zeros([1]));
    expect(() => new Mlp().loadStateDict(dict)).toThrow(/missing keys: fc2\.bias; unexpected keys: fc3\.kernel/);
    expect(() => new Mlp().loadStateDict(dict)).toThrow(wg.ArgumentError);
  });

  it('checks shapes by name, before changing anything', async () => {
    const m = new Mlp();
    const dict = { ...Object.fromEntries(new Mlp().stateDict()), 'fc2.kernel': wg.zeros([8, 2]) };
    const before = await m.fc1.kernel!.data();
    expect(() => m.loadStateDict(dict)).toThrow(/'fc2\.kernel' has shape \[8,1\] in the module, \[8,2\] in the state dict/);
    expect(await m.fc1.kernel!.data()).toEqual(before);
  });
});

describe('a PyTorch-style subclass trains', () => {
  it.each(['cpu', 'webgpu'] as const)('a two-layer MLP learns XOR with a hand-written SGD step (%s)', async (backend) => {
    await useBackend(backend);
    wg.seed(4);
    const net = new Mlp();
    const x = wg.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = wg.tensor([[0], [1], [1], [0]]);
    for (let step = 0; step < 400; step++) {
      const loss = net.forward(x).sub(y).square().mean();
      loss.backward();
      for (const p of net.parameters()) {
        p.assign(p.sub(p.grad!.mul(1.0)));
        p.grad = null;
      }
      wg.realize(...net.parameters());
    }
    const out = (await net.forward(x).data()) as Float32Array;
    expect(Array.from(out, (v) => (v > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
    expect(Math.max(out[0], out[3])).toBeLessThan(0.2);
    expect(Math.min(out[1], out[2])).toBeGreaterThan(0.8);
  }, 120_000);
});
