// The training step the memory tests and the step benchmark share: an MLP (ReLU hidden layers,
// softmax cross-entropy), autograd, and plain SGD on every parameter, realized together with
// the loss in one realize. Takes the webgrad module as an argument so Node tests and browser
// pages each pass their own entry.

import type * as Webgrad from '../src/index';
import type { Tensor } from '../src/index';

type Wg = typeof Webgrad;

/** A model's parameters (kernel, bias per layer) and one fixed batch. */
export interface Mlp {
  params: Tensor[];
  readonly x: Tensor;
  /** One-hot targets [batch, classes]. */
  readonly y: Tensor;
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
    const y = wg.oneHot(wg.randint(0, sizes[sizes.length - 1], [batch], { seed: seed + 200 }), sizes[sizes.length - 1]).cast('float32');
    wg.realize(...params, x, y);
    return { params, x, y };
  });
  for (const p of made.params) p.requiresGrad_();
  return made;
}

/** The mean cross-entropy of the model on its batch. */
export function lossOf(mlp: Mlp): Tensor {
  let h = mlp.x;
  for (let i = 0; i < mlp.params.length; i += 2) {
    h = h.matmul(mlp.params[i]).add(mlp.params[i + 1]);
    if (i + 2 < mlp.params.length) h = h.relu();
  }
  return h.logSoftmax(-1).mul(mlp.y).sum(-1).mean().neg();
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
