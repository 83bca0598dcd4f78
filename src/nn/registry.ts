// The layer registry: Keras class name → constructor, so a model can be rebuilt from the
// `{ className, config }` pairs its layers' getConfig() give (model JSON).

import { ArgumentError } from '../errors';
import type { Layer, LayerOptions } from './layer';
import * as L from './layers/index';

type LayerFactory = (config: LayerOptions & Record<string, unknown>) => Layer<LayerOptions, unknown, unknown>;

const registry = new Map<string, LayerFactory>();

/** Adds a layer class under its Keras class name (user layers too). */
export function registerLayer(className: string, factory: LayerFactory): void {
  registry.set(className, factory);
}

const builtIn: Record<string, new (config: never) => Layer<LayerOptions, unknown, unknown>> = {
  Dense: L.Dense, Conv2D: L.Conv2D, Conv1D: L.Conv1D, Conv2DTranspose: L.Conv2DTranspose,
  MaxPooling2D: L.MaxPooling2D, AveragePooling2D: L.AveragePooling2D, GlobalAveragePooling2D: L.GlobalAveragePooling2D,
  Flatten: L.Flatten, Dropout: L.Dropout, Activation: L.Activation,
  BatchNormalization: L.BatchNormalization, LayerNormalization: L.LayerNormalization, Embedding: L.Embedding,
  SimpleRNN: L.SimpleRNN, LSTM: L.LSTM, GRU: L.GRU,
  RandomFlip: L.RandomFlip, RandomShift: L.RandomShift, RandomCrop: L.RandomCrop, RandomRotate: L.RandomRotate, RandomBrightness: L.RandomBrightness,
};
for (const [name, Cls] of Object.entries(builtIn)) registerLayer(name, (config) => new Cls(config as never));

/**
 * A new layer from a class name and the config its getConfig() returned.
 *
 * ```ts
 * const copy = wg.nn.layerFromConfig(layer.className, layer.getConfig());
 * ```
 */
export function layerFromConfig(className: string, config: LayerOptions & Record<string, unknown>): Layer<LayerOptions, unknown, unknown> {
  const make = registry.get(className);
  if (!make) throw new ArgumentError(`layerFromConfig: no layer class '${className}' is registered (known: ${[...registry.keys()].join(', ')})`);
  return make(config);
}
