// Every shader parses with wgsl_reflect (kernels with their shaders/lib includes resolved, and
// each lib piece on its own), and every kernel launch binds exactly what its WGSL
// declares (DESIGN.md invariant 7): one buffer per declared binding, numbered 0…n-1, the output
// read_write and everything else read-only, plus the group-1 scalar block exactly when the launch
// has runtime scalars and group 3's dims exactly as many words as the launch gives. Pure: graphs
// are scheduled and lowered without a GPU.

import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { WgslReflect } from 'wgsl_reflect';
import { reflectBindings, reflectKernel } from '../../src/backend/webgpu/bindings';
import { gpuTarget, lowerKernel } from '../../src/backend/webgpu/lower';
import { resolveIncludes } from '../../src/graph/codegen';
import { kernelBindings, schedule, type Kernel } from '../../src/graph/schedule';
import { forceKernelVariant } from '../../src/backend/webgpu/calibrate';
import { CONV_FAMILIES, CONV_WINOGRAD } from '../../src/ops/conv';
import { softmaxCrossEntropy } from '../../src/ops/softmax';
import { randomTensor, wg } from '../helpers';

const shaderDir = new URL('../../shaders/', import.meta.url);
const shaderFiles = readdirSync(shaderDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.wgsl'));
/** Pieces other code is pasted around: no entry points of their own. */
const isLibrary = (file: string) => file === 'prelude.wgsl' || file.startsWith('lib/');
/**
 * Templates whose entry point TypeScript generates unrolled (src/ops/conv-direct.ts,
 * conv-winograd.ts): their launches are checked below, entry and bindings included.
 */
const GENERATED_ENTRY = ['conv2d_direct.wgsl', 'conv2d_winograd.wgsl'];

describe('shaders parse', () => {
  it.each(shaderFiles)('%s parses and its entry points bind 0…n-1 in group 0', (file) => {
    const code = resolveIncludes(readFileSync(new URL(file, shaderDir), 'utf8'));
    expect(code).not.toMatch(/^[ \t]*\/\/!INCLUDE/m);
    const reflect = new WgslReflect(code);
    for (const entry of reflect.entry.compute) {
      const bindings = reflectBindings(code, entry.name);
      expect(bindings.map((b) => b.binding)).toEqual(bindings.map((_, i) => i));
    }
    expect(reflect.entry.compute.length > 0).toBe(!isLibrary(file) && !GENERATED_ENTRY.includes(file));
  });
});

const targets = [gpuTarget('swiftshader'), gpuTarget('')];

/** The kernels realizing `roots`, as the WebGPU backend would schedule them. */
function kernelsOf(...roots: wg.Tensor[]): Kernel[] {
  return schedule(
    roots.map((t) => t.node),
    { maxBuffers: 10 },
  );
}

function expectExactBindings(k: Kernel): void {
  for (const target of targets) {
    const launch = lowerKernel(k, target);
    const declared = reflectBindings(launch.code, launch.entryPoint);
    expect(reflectKernel(launch.code, launch.entryPoint).scalarBlock, `${launch.entryPoint}: scalar block`).toBe(launch.scalars.length > 0);
    expect(reflectKernel(launch.code, launch.entryPoint).dims, `${launch.entryPoint}: words of runtime dims`).toBe(launch.dims?.length ?? 0);
    const bound = kernelBindings(k);
    expect(declared.length, `${launch.entryPoint}: declared vs bound`).toBe(bound.length);
    declared.forEach((b, i) => {
      expect(b.binding).toBe(i);
      expect(b.access, `${launch.entryPoint} binding ${i} (${b.name})`).toBe(bound[i] === k.root ? 'read_write' : 'read');
    });
  }
}

const graphs: [string, () => wg.Tensor[]][] = [
  ['fused elementwise chain', () => [randomTensor([5, 7], 1).add(randomTensor([7], 2)).relu()]],
  ['cooperative reduction', () => [randomTensor([3, 1000], 3).exp().sum(1)]],
  ['matmul, every variant', () => [randomTensor([17, 33], 4).matmul(randomTensor([33, 65], 5)), randomTensor([3, 500], 6).matmul(randomTensor([500, 2], 7))]],
  ['matmul with transposed operands and batches', () => [randomTensor([4, 33, 17], 8).transpose([0, 2, 1]).matmul(randomTensor([65, 33], 9).transpose())]],
  ['matmul with a bias, residual and activation epilogue', () => [randomTensor([9, 12], 10).matmul(randomTensor([12, 8], 11)).add(randomTensor([8], 12)).add(randomTensor([9, 8], 13)).relu()]],
  ['softmax and logSoftmax with epilogues', () => [randomTensor([6, 40], 14).softmax().mul(2), randomTensor([6, 40], 15).logSoftmax(0), randomTensor([70, 40], 23).softmax()]],
  ['softmax cross-entropy forward and backward', () => {
    const x = wg.tensor(new Float32Array(40).fill(0.25), { shape: [4, 10], requiresGrad: true });
    const loss = softmaxCrossEntropy(x, wg.tensor([1, 2, 3, 4], { dtype: 'int32' }));
    return [loss.mul(0.5), wg.grad((t: wg.Tensor) => softmaxCrossEntropy(t, wg.tensor([1, 2, 3, 4], { dtype: 'int32' })).sum())(x)[0]];
  }],
  ['runtime scalars, an activation parameter and a random mask', () => [randomTensor([5, 7], 24).mul(0.3).leakyRelu(0.2).mul(wg.rand([5, 7]).greaterEqual(0.5))]],
  ['matmul with a scaled, randomly masked epilogue', () => [randomTensor([9, 12], 25).matmul(randomTensor([12, 8], 26)).mul(1.5).mul(wg.rand([9, 8]).less(0.9))]],
  ['gather', () => [randomTensor([6, 5], 17).gather(wg.tensor([4, 0, 2], { dtype: 'int32' }), 0)]],
  ['gather gradient (scatter-add: buckets, then sums)', () => wg.grad((t: wg.Tensor) => t.gather(wg.tensor([4, 0, 4], { dtype: 'int32' }), 1).sum())(randomTensor([2, 6, 3], 24))],
  ['concat of twelve (a tree of concat views)', () => [wg.concat(Array.from({ length: 12 }, (_, k) => randomTensor([2, 1 + (k % 3)], 30 + k)), 1).exp()]],
  ['conv2d and its gradients', () => {
    const x = wg.tensor(new Float32Array(2 * 6 * 6 * 3).fill(0.5), { shape: [2, 6, 6, 3], requiresGrad: true });
    const w = wg.tensor(new Float32Array(3 * 3 * 3 * 4).fill(0.1), { shape: [3, 3, 3, 4], requiresGrad: true });
    const f = (a: wg.Tensor, b: wg.Tensor) => wg.conv2d(a, b, { padding: 'same', bias: wg.ones([4]) }).relu().sum();
    return [wg.conv2d(x, w, { padding: 'same' }).relu(), ...wg.grad(f)(x, w)];
  }],
  ...(['lstm', 'gru', 'simpleRNN'] as const).map((kind): [string, () => wg.Tensor[]] => [`${kind} sequence kernels, forward and backward`, () => {
    const layer = wg.layers[kind]({ units: 5, returnSequences: true });
    return wg.grad((t: wg.Tensor) => (layer.apply(t) as wg.Tensor).sum())(randomTensor([2, 3, 4], 24));
  }]),
];

describe('kernel launches bind exactly what their WGSL declares', () => {
  beforeAll(async () => {
    await wg.init({ backend: 'cpu' });
  });

  it.each(graphs)('%s', (_, build) => {
    const kernels = kernelsOf(...build());
    expect(kernels.length).toBeGreaterThan(0);
    for (const k of kernels) expectExactBindings(k);
  });

  it('conv2d and its input gradient as Winograd kernels (forced), with a fused bias and ReLU', () => {
    const x = wg.tensor(new Float32Array(2 * 6 * 6 * 8).fill(0.5), { shape: [2, 6, 6, 8], requiresGrad: true });
    const w = wg.tensor(new Float32Array(3 * 3 * 8 * 8).fill(0.1), { shape: [3, 3, 8, 8], requiresGrad: true });
    const f = (a: wg.Tensor) => wg.conv2d(a, w, { padding: 'same', bias: wg.ones([8]) }).relu().sum();
    const kernels = kernelsOf(wg.conv2d(x, w, { padding: 'same', bias: wg.ones([8]) }).relu(), ...wg.grad(f)(x));
    for (const family of [CONV_FAMILIES.forward, CONV_FAMILIES.inputGrad]) forceKernelVariant(family, CONV_WINOGRAD);
    try {
      const entries = kernels.map((k) => lowerKernel(k, targets[0]!).entryPoint);
      // the forward twice (the value, and inside the gradient's function) and the input gradient
      expect(entries.filter((e) => e === 'main_winograd')).toHaveLength(3);
      for (const k of kernels) expectExactBindings(k);
    } finally {
      for (const family of [CONV_FAMILIES.forward, CONV_FAMILIES.inputGrad]) forceKernelVariant(family, undefined);
    }
  });

  it('epilogue inputs bind after the kernel output', () => {
    const [k] = kernelsOf(randomTensor([9, 12], 20).matmul(randomTensor([12, 8], 21)).add(randomTensor([8], 22)).relu());
    expect(k.kind).toBe('custom');
    if (k.kind !== 'custom') return;
    expect(k.epilogue).not.toBeNull();
    const bound = kernelBindings(k);
    expect(bound.length).toBe(4);
    expect(bound[2]).toBe(k.root);
    const launch = lowerKernel(k, targets[0]);
    expect(reflectBindings(launch.code, launch.entryPoint).map((b) => b.name)).toEqual(['a', 'b', 'out', 'ep_in0']);
  });

  it('an epilogue reading numbers declares the scalar block in group 1, leaving group 0 as it was', () => {
    const [k] = kernelsOf(randomTensor([9, 12], 27).matmul(randomTensor([12, 8], 28)).add(randomTensor([8], 29)).mul(0.7));
    const launch = lowerKernel(k, targets[0]);
    expect(launch.scalars.length).toBe(1);
    expect(reflectKernel(launch.code, launch.entryPoint)).toMatchObject({ scalarBlock: true, storage: [{ name: 'a' }, { name: 'b' }, { name: 'out' }, { name: 'ep_in0' }] });
  });
});
