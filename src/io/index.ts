// `wg.io`: weights in the safetensors format and model artifacts in the places they are kept.

export { saveSafetensors, loadSafetensors, readSafetensorsMetadata } from './safetensors';
export type { NamedTensors } from './safetensors';
export { saveArtifacts, loadArtifacts } from './artifacts';
export type { ModelArtifacts, ArtifactsTarget } from './artifacts';
export type { ModelManifest } from './manifest';
export { listModels, removeModel } from './indexeddb-store';
export type { ModelInfo } from './indexeddb-store';
