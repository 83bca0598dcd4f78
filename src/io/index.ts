// `wg.io`: weights in the safetensors format and model artifacts in the places they are kept.

export { saveSafetensors, loadSafetensors, readSafetensorsMetadata } from './safetensors';
export type { NamedTensors } from './safetensors';
