// 'downloads://name': the browser downloads name.json (the manifest) and name.safetensors (and
// name.optimizer.safetensors). Save only; a page loads them back from a URL or a file input.

import { ArgumentError } from '../errors';
import { manifestFor, type ArtifactStore } from './manifest';

function download(fileName: string, bytes: Uint8Array, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  // The click starts the download; the address must outlive it a little.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function downloadStore(name: string): ArtifactStore {
  const where = `downloads://${name}`;
  return {
    where,
    readJson: async () => null,
    async read() {
      throw new ArgumentError(`loadArtifacts: ${where} is save-only; load the downloaded ${name}.json from a URL instead`);
    },
    async write(a) {
      if (typeof document === 'undefined') throw new ArgumentError(`saveArtifacts: ${where} needs a browser page; in Node save to a folder path`);
      const m = manifestFor(a, name);
      download(m.weights, a.weights, 'application/octet-stream');
      if (a.optimizer && m.optimizer) download(m.optimizer, a.optimizer, 'application/octet-stream');
      download(`${name}.json`, new TextEncoder().encode(JSON.stringify(m, null, 2)), 'application/json');
    },
  };
}
