// wg.nn: the Module base, the Layer base and the layer registry.

export { Module, type StateDict } from './module';
export { Layer, type LayerOptions, type LayerShape, type InputSpec } from './layer';
export { layerFromConfig, registerLayer } from './registry';
export type { ActivationName } from './activations';
