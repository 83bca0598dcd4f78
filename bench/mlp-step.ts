// The training steps the memory tests, the optimizer tests and the step benchmark share: an MLP
// (ReLU hidden layers, softmax cross-entropy) stepped by hand-written SGD (new parameters, one
// realize) or by an optimizer in the PyTorch loop (zeroGrad, backward, step: in place, one
// realize). Takes the webgrad module as an argument so Node tests and browser pages each pass
// their own entry.

import type * as Webgrad from '../src/index';
import type { Tensor } from '../src/index';

type Wg = typeof Webgrad;

/** A model's parameters (kernel, bias per layer) and one fixed batch. */
export interface Mlp {
  params: Tensor[];
  readonly x: Tensor;
  /** One-hot targets [batch, classes]. */
  readonly y: Tensor;
  /** The same targets as int32 class indices [batch]. */
  readonly labels: Tensor;
}

/** An MLP of layer `sizes` (input first) with He-initialized kernels and one random batch. */
export function createMlp(wg: Wg, sizes: readonly number[], batch: number, seed = 1): Mlp {
  const made = wg.tidy(() => {
    const params: Tensor[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      params.push(wg.randn([sizes[i], sizes[i + 1]], { seed: seed + i }).mul(Math.sqrt(2 / sizes[i])));
      params.push(wg.zeros([sizes[i + 1]]));
    }
    const x = wg.randn([batch, sizes[0]], { seed: seed + 100 });
    const labels = wg.randint(0, sizes[sizes.length - 1], [batch], { seed: seed + 200 });
    const y = wg.oneHot(labels, sizes[sizes.length - 1]).cast('float32');
    wg.realize(...params, x, y, labels);
    return { params, x, y, labels };
  });
  for (const p of made.params) p.requiresGrad_();
  return made;
}

/** The model's logits on its batch. */
export function logitsOf(mlp: Mlp): Tensor {
  let h = mlp.x;
  for (let i = 0; i < mlp.params.length; i += 2) {
    h = h.matmul(mlp.params[i]).add(mlp.params[i + 1]);
    if (i + 2 < mlp.params.length) h = h.relu();
  }
  return h;
}

/** The mean cross-entropy of the model on its batch, written out (log-softmax · one-hot). */
export function lossOf(mlp: Mlp): Tensor {
  return logitsOf(mlp).logSoftmax(-1).mul(mlp.y).sum(-1).mean().neg();
}

/**
 * Builds one step lazily: the loss, its gradients and the updated parameters (nothing runs).
 * Leaves every `.grad` cleared. Call inside `wg.tidy`.
 */
export function stepGraph(wg: Wg, mlp: Mlp, lr: number): { next: Tensor[]; loss: Tensor } {
  const loss = lossOf(mlp);
  loss.backward();
  const next = wg.noGrad(() => mlp.params.map((p) => p.sub(p.grad!.mul(lr))));
  for (const p of mlp.params) {
    p.grad!.dispose();
    p.grad = null;
  }
  return { next, loss };
}

/** Runs one step (one realize of the new parameters and the loss); returns the loss tensor. */
export function trainStep(wg: Wg, mlp: Mlp, lr: number): Tensor {
  const { next, loss } = wg.tidy(() => stepGraph(wg, mlp, lr));
  wg.realize(...next, loss);
  for (const p of mlp.params) p.dispose();
  mlp.params = next.map((t) => t.requiresGrad_());
  return loss;
}

/** What the PyTorch loop needs of an optimizer. */
export interface Stepper {
  zeroGrad(): void;
  step(): void;
}

/**
 * One step of the PyTorch loop, no tidy, no dispose: zeroGrad, loss, backward, step (which
 * updates the parameters in place in one realize, the loss riding along). Returns the loss.
 */
export function optimizerStep(opt: Stepper, loss: () => Tensor): Tensor {
  opt.zeroGrad();
  const l = loss();
  l.backward();
  opt.step();
  return l;
}

/** One optimizer step of the MLP on its batch with the library's fused cross-entropy. */
export function mlpOptimizerStep(wg: Wg, mlp: Mlp, opt: Stepper): Tensor {
  return optimizerStep(opt, () => wg.losses.crossEntropy(logitsOf(mlp), mlp.labels));
}
