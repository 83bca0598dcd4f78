// Model folders: `model.json` (the manifest) beside `model.safetensors` and, when saved,
// `optimizer.safetensors` — on the host file system (Node), or fetched from a URL (load only).

import { ArgumentError } from '../errors';
import { manifestFor, parseManifest, type ArtifactStore } from './manifest';
import type { HostFiles } from './host-files';

const MANIFEST = 'model.json';

export function folderStore(files: HostFiles, folder: string): ArtifactStore {
  const manifestPath = files.join(folder, MANIFEST);
  const where = `the folder ${folder}`;
  const readManifest = async () => {
    const bytes = await files.read(manifestPath);
    return bytes && parseManifest(manifestPath, new TextDecoder().decode(bytes));
  };
  const need = async (name: string) => {
    const bytes = await files.read(files.join(folder, name));
    if (!bytes) throw new ArgumentError(`loadArtifacts: ${manifestPath} names ${name}, which is missing`);
    return bytes;
  };
  return {
    where,
    readJson: async () => (await readManifest())?.model ?? null,
    async read() {
      const m = await readManifest();
      if (!m) return null;
      const [weights, optimizer] = await Promise.all([need(m.weights), m.optimizer ? need(m.optimizer) : undefined]);
      return { json: m.model, weights, ...(optimizer ? { optimizer } : {}) };
    },
    async write(a) {
      const m = manifestFor(a, 'model');
      // Weights first, the manifest last: a folder is either the old model or the new one.
      await files.write(files.join(folder, m.weights), a.weights);
      if (a.optimizer && m.optimizer) await files.write(files.join(folder, m.optimizer), a.optimizer);
      else await files.remove(files.join(folder, 'optimizer.safetensors'));
      await files.write(manifestPath, new TextEncoder().encode(JSON.stringify(m, null, 2)));
    },
  };
}

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new ArgumentError(`loadArtifacts: fetching ${url} failed: HTTP ${res.status} ${res.statusText}`);
  return res;
}

/** A model published at a URL: the manifest itself (`….json`) or the folder holding `model.json`. */
export function urlStore(address: string): ArtifactStore {
  const base = globalThis.location?.href;
  const manifestUrl = new URL(address.endsWith('.json') ? address : `${address.replace(/\/?$/, '/')}${MANIFEST}`, base).href;
  const bytesAt = async (name: string) => new Uint8Array(await (await fetchOk(new URL(name, manifestUrl).href)).arrayBuffer());
  return {
    where: manifestUrl,
    readJson: async () => null,
    async read() {
      const m = parseManifest(manifestUrl, await (await fetchOk(manifestUrl)).text());
      const [weights, optimizer] = await Promise.all([bytesAt(m.weights), m.optimizer ? bytesAt(m.optimizer) : undefined]);
      return { json: m.model, weights, ...(optimizer ? { optimizer } : {}) };
    },
    async write() {
      throw new ArgumentError(`saveArtifacts: cannot save to the URL ${manifestUrl}; in a browser save to 'indexeddb://name' or 'downloads://name', in Node to a folder path`);
    },
  };
}
