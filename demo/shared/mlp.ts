// A small MLP over feature vectors, in the PyTorch style on webgrad's public API: dense layers
// (optional L2 on kernels), dropout between hidden layers in training, a linear output layer
// (logits or a regression value); and the optimizers the demos offer by name.

import * as wg from 'webgrad';

export type ActivationChoice = 'relu' | 'tanh' | 'sigmoid' | 'linear';
export type OptimizerChoice = 'sgd' | 'momentum' | 'nesterov' | 'rmsprop' | 'adam';

export interface MlpOptions {
  inputs: number;
  hidden: readonly number[];
  /** Output units: classes for logits, 1 for a regression. */
  outputs: number;
  activation: ActivationChoice;
  l2: number;
  dropout: number;
}

/** The MLP: `logits(x, training)` (the output layer's values); `parameters()` for an optimizer; `penalty()` the L2 term. */
export class Mlp extends wg.nn.Module {
  readonly stack: wg.nn.Module[];

  constructor(private readonly opts: MlpOptions) {
    super();
    const sizes = [opts.inputs, ...opts.hidden];
    const reg = opts.l2 > 0 ? { kernelRegularizer: wg.regularizers.l2(opts.l2) } : {};
    this.stack = [
      ...opts.hidden.map((units, i) => wg.layers.dense({ units, activation: opts.activation, inputShape: [sizes[i]!], ...reg })),
      wg.layers.dense({ units: opts.outputs, inputShape: [sizes[sizes.length - 1]!], ...reg }),
    ];
  }

  override parameters(): wg.Tensor[] {
    return this.stack.flatMap((l) => l.parameters());
  }

  /** The L2 penalty of every layer (zero without L2). */
  penalty(): wg.Tensor {
    return this.stack.map((l) => l.regularizationLoss()).reduce((a, b) => a.add(b));
  }

  logits(x: wg.Tensor, training: boolean): wg.Tensor {
    let h = x;
    this.stack.forEach((layer, i) => {
      h = layer.apply(h) as wg.Tensor;
      if (training && this.opts.dropout > 0 && i < this.stack.length - 1) h = wg.dropout(h, this.opts.dropout);
    });
    return h;
  }

  override forward(x: wg.Tensor): wg.Tensor {
    return this.logits(x, false);
  }
}

/** What the demos need of an optimizer. */
export interface Stepper {
  step(): void;
  zeroGrad(): void;
}

/** The optimizer named `choice` over `params` at learning rate `lr`. */
export function makeOptimizer(choice: OptimizerChoice, params: wg.Tensor[], lr: number): Stepper {
  switch (choice) {
    case 'sgd':
      return new wg.optim.SGD(params, { lr });
    case 'momentum':
      return new wg.optim.SGD(params, { lr, momentum: 0.9 });
    case 'nesterov':
      return new wg.optim.SGD(params, { lr, momentum: 0.9, nesterov: true });
    case 'rmsprop':
      return new wg.optim.RMSprop(params, { lr });
    case 'adam':
      return new wg.optim.Adam(params, { lr });
  }
}
