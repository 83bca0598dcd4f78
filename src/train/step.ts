// One batch of training or of evaluation, as lazy work that runs in a single realize: the
// forward pass, the loss (with the regularization penalties when training), the gradients and
// the optimizer's update, with the batch's loss and metrics added to the epoch's device sums.

import { tidy } from '../lifetime';
import type { Module } from '../nn/module';
import { noGrad, type Tensor } from '../tensor';
import type { Compiled } from './compile';
import type { DeviceSums } from './device-sums';
import type { Metric } from './metrics';

/** The model as a step sees it. */
export interface StepModel extends Module {
  forward(x: Tensor): Tensor;
}

/**
 * One optimizer step on a batch (one submit: the update realizes the loss and the sums with it).
 * Returns the batch's loss (computed, on the device).
 */
export function trainStep(model: StepModel, c: Compiled, metrics: readonly Metric[], x: Tensor, y: Tensor, size: number, sums: DeviceSums | null): Tensor {
  return tidy(() => {
    c.optimizer.zeroGrad();
    const pred = model.forward(x);
    const loss = c.loss(pred, y).add(model.regularizationLoss());
    loss.backward();
    if (sums) sums.add([loss, ...noGrad(() => metrics.map((m) => m.fn(pred.detach(), y)))], size);
    c.optimizer.step();
    return loss;
  });
}

/** The loss (with penalties, as Keras) and metrics of a batch without gradients, added to `sums` (realized by the caller). */
export function testStep(model: StepModel, c: Compiled, metrics: readonly Metric[], x: Tensor, y: Tensor, size: number, sums: DeviceSums): void {
  tidy(() =>
    noGrad(() => {
      const pred = model.forward(x);
      sums.add([c.loss(pred, y).add(model.regularizationLoss()), ...metrics.map((m) => m.fn(pred, y))], size);
    }),
  );
}
