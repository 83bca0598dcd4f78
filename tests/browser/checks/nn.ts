// Browser checks of the neural-network ops (conv2d, conv1d, conv2dTranspose on awkward sizes)
// and of autograd on WebGPU: gradients equal the cpu backend's and known closed forms.

import { equals, fill, matchesCpu, type Check, type Tensor, type Wg } from './compare';

type Conv2dOptions = Parameters<Wg['conv2d']>[2];

/** conv2d configurations with odd sizes and every option; x [N,H,W,Cin], w [KH,KW,Cin/groups,Cout]. */
const CONV2D_CASES: { x: number[]; w: number[]; opts: Conv2dOptions }[] = [
  { x: [2, 7, 9, 3], w: [3, 3, 3, 5], opts: {} },
  { x: [1, 11, 10, 4], w: [3, 2, 2, 6], opts: { stride: [2, 3], padding: 'same', groups: 2 } },
  { x: [2, 9, 8, 6], w: [3, 3, 2, 3], opts: { dilation: [2, 1], padding: [2, 1], groups: 3 } },
  { x: [1, 6, 7, 5], w: [5, 3, 5, 4], opts: { stride: 2, padding: 'same', dilation: 2 } },
  { x: [3, 5, 5, 2], w: [1, 1, 2, 7], opts: { stride: 2, padding: 1 } },
];

/** Sum over the classes of log-softmax times a one-hot target: a small MLP's cross-entropy. */
function mlpLoss(w: Wg, x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor): Tensor {
  const labels = w.tensor([0, 2, 1, 1, 0, 2], { dtype: 'int32' });
  const logits = x.matmul(w1).add(b1).tanh().matmul(w2);
  return logits.logSoftmax().mul(w.oneHot(labels, 3)).sum(1).mean().neg();
}

export const nnChecks: Check[] = [
  {
    name: 'conv2d of a known image, with bias and same padding',
    run: async (wg) => {
      const img = (w: Wg) => w.arange(1, 10).reshape([1, 3, 3, 1]);
      await equals(wg, (w) => w.conv2d(img(w), w.ones([2, 2, 1, 1])), [1, 2, 2, 1], [12, 16, 24, 28]);
      await equals(wg, (w) => w.conv2d(img(w), w.ones([2, 2, 1, 1]), { padding: 'same', bias: w.tensor([0.5]) }), [1, 3, 3, 1], [12.5, 16.5, 9.5, 24.5, 28.5, 15.5, 15.5, 17.5, 9.5]);
      await equals(wg, (w) => w.conv2d(img(w), w.tensor([1, -1], { shape: [1, 1, 1, 2] }), { stride: 2 }), [1, 2, 2, 2], [1, -1, 3, -3, 7, -7, 9, -9]);
    },
  },
  {
    name: 'conv2d on awkward sizes with stride, padding, dilation and groups',
    run: async (wg) => {
      for (const [i, c] of CONV2D_CASES.entries()) {
        await matchesCpu(wg, (w) => w.conv2d(fill(w, c.x, 110 + i), fill(w, c.w, 120 + i), { ...c.opts, bias: fill(w, [c.w[3]!], 130 + i) }), { atol: 1e-5 });
      }
    },
  },
  {
    name: 'conv1d of a known signal and on awkward sizes',
    run: async (wg) => {
      await equals(wg, (w) => w.conv1d(w.tensor([1, 2, 3, 4, 5], { shape: [1, 5, 1] }), w.tensor([1, 0, -1], { shape: [3, 1, 1] })), [1, 3, 1], [-2, -2, -2]);
      await matchesCpu(wg, (w) => w.conv1d(fill(w, [2, 13, 4], 140), fill(w, [3, 2, 6], 141), { stride: 2, padding: 'same', dilation: 2, groups: 2 }), { atol: 1e-5 });
      await matchesCpu(wg, (w) => w.conv1d(fill(w, [3, 10, 3], 142), fill(w, [4, 3, 5], 143), { padding: 3, bias: fill(w, [5], 144) }), { atol: 1e-5 });
    },
  },
  {
    name: 'conv2dTranspose spreads each pixel and matches cpu on awkward sizes',
    run: async (wg) => {
      const x = (w: Wg) => w.tensor([1, 2, 3, 4], { shape: [1, 2, 2, 1] });
      await equals(wg, (w) => w.conv2dTranspose(x(w), w.ones([2, 2, 1, 1]), { stride: 2 }), [1, 4, 4, 1], [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
      await equals(wg, (w) => w.conv2dTranspose(x(w), w.ones([2, 2, 1, 1])), [1, 3, 3, 1], [1, 3, 2, 4, 10, 6, 3, 7, 4]);
      await matchesCpu(wg, (w) => w.conv2dTranspose(fill(w, [2, 5, 4, 3], 150), fill(w, [3, 3, 4, 3], 151), { stride: 2, padding: 'same', bias: fill(w, [4], 152) }), { atol: 1e-5 });
      await matchesCpu(wg, (w) => w.conv2dTranspose(fill(w, [1, 4, 6, 2], 153), fill(w, [3, 2, 5, 2], 154), { stride: [2, 3], padding: 1, outputPadding: [1, 2], dilation: [1, 2] }), { atol: 1e-5 });
    },
  },
  {
    name: 'backward of a small MLP loss gives the same gradients on webgpu and cpu',
    run: async (wg) => {
      await matchesCpu(wg, (w) => {
        const x = fill(w, [6, 5], 160);
        const w1 = fill(w, [5, 8], 161).requiresGrad_();
        const b1 = fill(w, [8], 162).requiresGrad_();
        const w2 = fill(w, [8, 3], 163).requiresGrad_();
        const loss = mlpLoss(w, x, w1, b1, w2);
        loss.backward();
        return w.concat([loss.reshape([1]), w1.grad!.flatten(), b1.grad!, w2.grad!.flatten()]);
      }, { atol: 1e-5 });
    },
  },
  {
    name: 'grad and valueAndGrad give closed-form gradients on webgpu',
    run: async (wg) => {
      const xs = [-2, -0.5, 0, 1.5];
      await equals(wg, (w) => w.grad((x: Tensor) => x.square().sum())(w.tensor(xs))[0]!, [4], xs.map((x) => 2 * x));
      await equals(wg, (w) => w.grad((x: Tensor, y: Tensor) => x.mul(y).sum())(w.tensor(xs), w.tensor([3]))[1]!, [1], [xs.reduce((a, b) => a + b, 0)]);
      await equals(wg, (w) => w.valueAndGrad((x: Tensor) => x.exp().mean())(w.tensor(xs)).value, [], [xs.reduce((a, x) => a + Math.exp(x), 0) / 4]);
      await equals(wg, (w) => w.valueAndGrad((x: Tensor) => x.sigmoid().sum())(w.tensor(xs)).grads[0]!, [4], xs.map((x) => Math.exp(-x) / (1 + Math.exp(-x)) ** 2));
    },
  },
  {
    name: 'gradients through movement, indexing, softmax and reductions match cpu',
    run: async (wg) => {
      await matchesCpu(wg, (w) => {
        const x = fill(w, [4, 5, 3], 180).requiresGrad_();
        const y = x.transpose([2, 0, 1]).slice([1, 0, 1], [2, -1, 3]).pad([[0, 1], [1, 0], [0, 2]], 0.5);
        const z = w.concat([y, y.mul(2)], 1).gather(w.tensor([0, 3, 3], { dtype: 'int32' }), 2);
        const terms = [z.max(0).sum(), z.softmax(1).mul(fill(w, z.shape, 181)).sum(), x.prod(2).mean(), x.variance([0, 1]).sum(), x.logSumExp(1).sum()];
        terms.reduce((a, b) => a.add(b)).backward();
        return x.grad!;
      }, { atol: 1e-5 });
    },
  },
  {
    name: 'gradients of conv2d with stride, padding, dilation and groups match cpu',
    run: async (wg) => {
      await matchesCpu(wg, (w) => {
        const x = fill(w, [2, 7, 6, 4], 170).requiresGrad_();
        const k = fill(w, [3, 2, 2, 6], 171).requiresGrad_();
        const y = w.conv2d(x, k, { stride: [2, 1], padding: 'same', dilation: [1, 2], groups: 2 });
        y.mul(fill(w, y.shape, 172)).sum().backward();
        return w.concat([x.grad!.flatten(), k.grad!.flatten()]);
      }, { atol: 1e-5 });
    },
  },
  {
    name: 'vectorized conv kernels (channels in multiples of 4 and 8), depthwise, and their gradients match cpu',
    run: async (wg) => {
      await matchesCpu(wg, (w) => {
        const x = fill(w, [2, 9, 7, 8], 190).requiresGrad_();
        const k = fill(w, [3, 3, 8, 16], 191).requiresGrad_();
        const d = fill(w, [3, 3, 1, 32], 192).requiresGrad_();
        const y = w.conv2d(w.conv2d(x, k, { padding: 'same', dilation: 2 }), d, { groups: 16, stride: 2 });
        y.mul(fill(w, y.shape, 193)).sum().backward();
        return w.concat([y.flatten(), x.grad!.flatten(), k.grad!.flatten(), d.grad!.flatten()]);
      }, { atol: 1e-4 });
      await matchesCpu(wg, (w) => w.conv2d(fill(w, [1, 17, 5, 4], 194), fill(w, [2, 3, 4, 12], 195), { padding: [1, 2] }), { atol: 1e-5 });
    },
  },
  {
    name: 'maxPool2d, avgPool2d and globalAvgPool2d: known values and awkward sizes',
    run: async (wg) => {
      const grid = (w: Wg) => w.arange(0, 16).reshape([1, 4, 4, 1]);
      await equals(wg, (w) => w.maxPool2d(grid(w), { kernelSize: 2 }), [1, 2, 2, 1], [5, 7, 13, 15]);
      await equals(wg, (w) => w.avgPool2d(grid(w), { kernelSize: 2 }), [1, 2, 2, 1], [2.5, 4.5, 10.5, 12.5]);
      await equals(wg, (w) => w.avgPool2d(w.ones([1, 3, 3, 1]), { kernelSize: 3, stride: 1, padding: 1, countIncludePad: true }), [1, 3, 3, 1], [4, 6, 4, 6, 9, 6, 4, 6, 4].map((v) => v / 9));
      await equals(wg, (w) => w.globalAvgPool2d(grid(w)), [1, 1], [7.5]);
      await matchesCpu(wg, (w) => w.maxPool2d(fill(w, [2, 17, 33, 3], 200), { kernelSize: 3, stride: 2, padding: 'same' }));
      await matchesCpu(wg, (w) => w.avgPool2d(fill(w, [1, 9, 17, 5], 201), { kernelSize: [3, 2], stride: [1, 2], padding: 1 }), { atol: 1e-6 });
    },
  },
  {
    name: 'pool gradients match cpu (max routes to the window maximum, average spreads evenly)',
    run: async (wg) => {
      await matchesCpu(wg, (w) => {
        const x = fill(w, [2, 9, 7, 3], 210).requiresGrad_();
        const y = w.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 'same' }).add(w.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 'same' }));
        y.mul(fill(w, y.shape, 211)).sum().add(w.globalAvgPool2d(x).sum()).backward();
        return x.grad!;
      }, { atol: 1e-5 });
    },
  },
];
