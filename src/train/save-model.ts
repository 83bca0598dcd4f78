// model.save and wg.loadModel: a Sequential as `wg.io` model artifacts — the architecture as
// JSON (each layer's class name and config) and the weights as safetensors under their dotted
// names — saved to and loaded from any `wg.io` target.

import { ArgumentError } from '../errors';
import { loadArtifacts, saveArtifacts, type ArtifactsTarget } from '../io/artifacts';
import { loadSafetensors, saveSafetensors } from '../io/safetensors';
import { layerFromConfig } from '../nn/registry';
import type { LayerOptions } from '../nn/layer';
import { Sequential } from './sequential';

/** The JSON architecture of a saved Sequential. */
interface SequentialJson {
  className: 'Sequential';
  config: { name: string; layers: { className: string; config: LayerOptions & Record<string, unknown> }[] };
}

/** Saves `model` (built) to `target` (a folder, 'indexeddb://name', 'downloads://name' or an object). */
export async function saveModel(model: Sequential, target: unknown): Promise<void> {
  if (!model.inputShape()) throw new ArgumentError(`save: the model '${model.name}' is not built yet (give the first layer inputShape, or train it first)`);
  const json = model.toJSON();
  // The built input shape goes with the first layer, so the loaded model builds at once.
  const first = json.config.layers[0].config as LayerOptions;
  json.config.layers[0].config = { ...first, inputShape: model.inputShape()!.slice(1) as number[] };
  const weights = await saveSafetensors(new Map(model.weightList()));
  await saveArtifacts(target as ArtifactsTarget, { json, weights }, { overwrite: true });
}

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
