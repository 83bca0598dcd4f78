// `wg.optim`: the optimizers, learning-rate schedules and gradient clipping of API.md "Optimizers".

export { Optimizer } from './optimizer';
export type { LearningRate, ParameterSource, ParamGroup, ParamGroupSpec, Params, ParamState, StateTensors, UpdateJob, UpdateRule } from './optimizer';
export { SGD } from './sgd';
export type { SGDOptions, SGDState } from './sgd';
export { Adam } from './adam';
export type { AdamOptions, AdamState } from './adam';
export { AdamW } from './adamw';
export { RMSprop } from './rmsprop';
export type { RMSpropOptions, RMSpropState } from './rmsprop';
export { Adagrad } from './adagrad';
export type { AdagradOptions, AdagradState } from './adagrad';
export { clipGradNorm, clipGradValue } from './clip';
export * as schedules from './schedules';
