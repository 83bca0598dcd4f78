// model.save: a Sequential as `wg.io` model artifacts — the architecture as JSON (each layer's
// class name and config) and the weights as safetensors under their dotted names — saved to any
// `wg.io` target. src/train/load-model.ts reads them back.

import { ArgumentError } from '../errors';
import { saveArtifacts, type ArtifactsTarget } from '../io/artifacts';
import { saveSafetensors } from '../io/safetensors';
import type { LayerOptions } from '../nn/layer';
import type { Sequential } from './sequential';

/** The JSON architecture of a saved Sequential. */
export interface SequentialJson {
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
