// wg.loadModel: a Sequential back from the `wg.io` model artifacts model.save wrote
// (src/train/save-model.ts): layers from their JSON configs, then the weights by dotted name.

import { ArgumentError } from '../errors';
import { loadArtifacts, type ArtifactsTarget } from '../io/artifacts';
import { loadSafetensors } from '../io/safetensors';
import { layerFromConfig } from '../nn/registry';
import type { SequentialJson } from './save-model';
import { Sequential } from './sequential';

/**
 * Loads a Sequential saved with `model.save` (architecture and weights; compile it again to train).
 *
 * ```ts
 * const model = await wg.loadModel('indexeddb://my-model');
 * const y = model.predict(x);
 * ```
 */
export async function loadModel(source: ArtifactsTarget): Promise<Sequential> {
  const { json, weights } = await loadArtifacts(source);
  const arch = json as Partial<SequentialJson>;
  if (arch.className !== 'Sequential' || !Array.isArray(arch.config?.layers)) {
    throw new ArgumentError(`loadModel: the artifacts do not describe a Sequential model (className ${JSON.stringify(arch.className)})`);
  }
  const model = new Sequential(arch.config.layers.map((l) => layerFromConfig(l.className, l.config)), { name: arch.config.name });
  const named = loadSafetensors(weights);
  const own = model.weightList();
  const missing = own.filter(([n]) => !named.has(n)).map(([n]) => n);
  if (missing.length || named.size !== own.length) {
    throw new ArgumentError(`loadModel: the weights do not match the architecture (missing: ${missing.join(', ') || 'none'}; ${named.size} stored for ${own.length} in the model)`);
  }
  model.setWeights(own.map(([n]) => named.get(n)!));
  for (const t of named.values()) t.dispose();
  return model;
}
