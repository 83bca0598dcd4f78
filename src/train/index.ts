// Keras-style training: wg.sequential, its History, and the metric and callback namespaces.

export { Sequential, sequential, type AnyLayer } from './sequential';
export { History } from './history';
export { loadModel } from './load-model';
export type { CompileOptions, OptimizerName } from './compile';
export type { FitOptions } from './fit';
export type { EvaluateOptions, PredictOptions } from './evaluate';
export * as metrics from './metrics';
export * as callbacks from './callbacks/index';
