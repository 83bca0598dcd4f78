// The model artifacts a store keeps, the store interface, and the manifest (`model.json`) that
// names a model's weight files in a folder, at a URL or in a download.

import { ArgumentError } from '../errors';

/** What a saved model is: its architecture, its weights and (optionally) its optimizer state. */
export interface ModelArtifacts {
  /** The architecture (layer types and options), free-form JSON. */
  json: object;
  /** The weights in safetensors format, under PyTorch-style dotted names. */
  weights: Uint8Array;
  /** The optimizer state in safetensors format. */
  optimizer?: Uint8Array;
}

/** One place artifacts are kept. */
export interface ArtifactStore {
  /** How messages name the place. */
  readonly where: string;
  /** The architecture stored there, or null when there is none (or it cannot be known). */
  readJson(): Promise<object | null>;
  /** The artifacts stored there, or null when there are none. */
  read(): Promise<ModelArtifacts | null>;
  write(artifacts: ModelArtifacts): Promise<void>;
}

/** The layout of a model folder: `model.json` names the weight files beside it. */
export interface ModelManifest {
  format: 'webgrad-model';
  formatVersion: 1;
  model: object;
  weights: string;
  optimizer?: string;
}

/** The manifest of a model folder or URL; a wrong one is an ArgumentError. */
export function parseManifest(where: string, text: string): ModelManifest {
  let m: Partial<ModelManifest>;
  try {
    m = JSON.parse(text) as Partial<ModelManifest>;
  } catch (err) {
    throw new ArgumentError(`loadArtifacts: ${where} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (m?.format !== 'webgrad-model' || m.formatVersion !== 1 || typeof m.model !== 'object' || m.model === null || typeof m.weights !== 'string') {
    throw new ArgumentError(`loadArtifacts: ${where} is not a webgrad model manifest (expected { format: 'webgrad-model', formatVersion: 1, model, weights })`);
  }
  return m as ModelManifest;
}

/** The manifest naming the weight files (written beside it as `prefix` + suffix). */
export function manifestFor(a: ModelArtifacts, prefix: string): ModelManifest {
  return {
    format: 'webgrad-model',
    formatVersion: 1,
    model: a.json,
    weights: `${prefix}.safetensors`,
    ...(a.optimizer ? { optimizer: `${prefix === 'model' ? 'optimizer' : `${prefix}.optimizer`}.safetensors` } : {}),
  };
}
