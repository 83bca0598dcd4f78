// webgrad's public surface (API.md). Browser entry; src/node.ts adds Dawn discovery for Node.

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
export * as io from './io';
export * as data from './data';
