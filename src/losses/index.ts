// `wg.losses`: the loss functions of API.md "Losses" and the Keras names `compile` accepts.

export { mse, mae, huber } from './regression';
export type { HuberOptions } from './regression';
export { crossEntropy, nll } from './cross-entropy';
export type { CrossEntropyOptions } from './cross-entropy';
export { binaryCrossEntropy, binaryCrossEntropyWithLogits } from './binary';
export type { BceWithLogitsOptions } from './binary';
export type { LossOptions, Reduction } from './reduction';
export { get } from './keras';
export type { KerasLossName, LossFn, LossSpec } from './keras';
