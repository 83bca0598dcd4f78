// The LeNet-like CNN of the step benchmark and the optimizer tests (conv32-pool-conv64-pool-
// dense128-dense10 on 28×28×1 images, NHWC, ReLU, 3×3 'same' convolutions, 2×2 max pooling),
// stepped by an optimizer in the PyTorch loop. Takes the webgrad module as an argument.

import type * as Webgrad from '../src/index';
import type { Tensor } from '../src/index';
import { optimizerStep, type Stepper } from './mlp-step';

type Wg = typeof Webgrad;

export interface Cnn {
  /** conv1 kernel, bias; conv2 kernel, bias; dense1 kernel, bias; dense2 kernel, bias. */
  readonly params: Tensor[];
  readonly x: Tensor;
  readonly labels: Tensor;
}

/** The CNN with He-initialized kernels, zero biases and one random batch of `batch` images. */
export function createCnn(wg: Wg, batch: number, seed = 1): Cnn {
  const shapes = [[3, 3, 1, 32], [32], [3, 3, 32, 64], [64], [7 * 7 * 64, 128], [128], [128, 10], [10]];
  const made = wg.tidy(() => {
    const params = shapes.map((s, i) => {
      if (s.length === 1) return wg.zeros(s);
      const fanIn = s.slice(0, -1).reduce((a, b) => a * b, 1);
      return wg.randn(s, { seed: seed + i }).mul(Math.sqrt(2 / fanIn));
    });
    const x = wg.rand([batch, 28, 28, 1], { seed: seed + 100 });
    const labels = wg.randint(0, 10, [batch], { seed: seed + 200 });
    wg.realize(...params, x, labels);
    return { params, x, labels };
  });
  for (const p of made.params) p.requiresGrad_();
  return made;
}

/** The CNN's logits on its batch. */
export function cnnLogits(wg: Wg, cnn: Cnn): Tensor {
  const [k1, b1, k2, b2, w3, b3, w4, b4] = cnn.params;
  let h = wg.conv2d(cnn.x, k1, { padding: 'same', bias: b1 }).relu();
  h = wg.maxPool2d(h, { kernelSize: 2 });
  h = wg.conv2d(h, k2, { padding: 'same', bias: b2 }).relu();
  h = wg.maxPool2d(h, { kernelSize: 2 });
  h = h.reshape([h.shape[0], -1]).matmul(w3).add(b3).relu();
  return h.matmul(w4).add(b4);
}

/** One optimizer step of the CNN on its batch with the fused cross-entropy. */
export function cnnOptimizerStep(wg: Wg, cnn: Cnn, opt: Stepper): Tensor {
  return optimizerStep(opt, () => wg.losses.crossEntropy(cnnLogits(wg, cnn), cnn.labels));
}
