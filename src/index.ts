// webgrad's public surface (API.md). Browser entry; src/node.ts adds Dawn discovery for Node.

// Installs the Tensor op methods before any op can run (src/tensor.ts imports no op module).
import './ops/methods';

export * from './errors';
export type { DType, TypedArray } from './dtype';
export type { BackendName, Stats } from './backend/backend';
export { init, getBackend, setBackend, realize, stats, resetStats, memory, explain, warmup } from './engine';
export { tidy, keep } from './lifetime';
export type { InitOptions, InitResult, MemoryInfo } from './engine';
export { Tensor, noGrad } from './tensor';
export type { TensorLike, GradFn } from './tensor';
export { grad, valueAndGrad } from './autograd/grad';
export type { Grads } from './autograd/grad';
export { tensor, zeros, ones, full, zerosLike, onesLike, arange, linspace, eye, rand, randn, randint } from './ops/creation';
export type { CreateOptions, RandomOptions, TensorOptions, NestedArray } from './ops/creation';
export { seed } from './ops/random';
export * from './ops/functions';
export { batchNorm, layerNorm } from './nn/functional/normalization';
export type { BatchNormOptions, LayerNormOptions } from './nn/functional/normalization';
export { dropout } from './nn/functional/dropout';
export type { DropoutOptions } from './nn/functional/dropout';
export { embedding } from './nn/functional/embedding';
export * as nn from './nn/index';
export * as layers from './nn/layers/index';
export * as initializers from './nn/initializers';
export * as regularizers from './nn/regularizers';
export * as losses from './losses/index';
export * as optim from './optim/index';
export * as io from './io';
export * as data from './data';
export { sequential, Sequential, History, loadModel, metrics, callbacks } from './train/index';
export type { AnyLayer, CompileOptions, OptimizerName, FitOptions, EvaluateOptions, PredictOptions } from './train/index';
