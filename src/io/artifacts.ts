// Model artifacts — a JSON architecture, safetensors weights, optional optimizer state — and
// where they are kept: a folder (Node), IndexedDB or a download (browser), a URL (load only), or
// an object in memory. Saving refuses to replace a different architecture unless asked.

import { ArgumentError } from '../errors';
import { downloadStore } from './downloads';
import { folderStore, urlStore } from './folder-store';
import { hostFiles, isUrl } from './host-files';
import { indexedDbStore } from './indexeddb-store';
import { type ArtifactStore, type ModelArtifacts } from './manifest';
import { readSafetensorsMetadata } from './safetensors';

export type { ModelArtifacts } from './manifest';

/**
 * Where artifacts go or come from: a folder path (Node), `'indexeddb://name'`,
 * `'downloads://name'` (save only), a URL or a page-relative path in the browser (load only),
 * or an object in memory (saving fills it in).
 */
export type ArtifactsTarget = string | Partial<ModelArtifacts>;

function memoryStore(box: Partial<ModelArtifacts>): ArtifactStore {
  return {
    where: 'the in-memory artifacts',
    readJson: async () => box.json ?? null,
    read: async () => (box.json && box.weights ? { json: box.json, weights: box.weights, ...(box.optimizer ? { optimizer: box.optimizer } : {}) } : null),
    async write(a) {
      box.json = a.json;
      box.weights = a.weights;
      if (a.optimizer) box.optimizer = a.optimizer;
      else delete box.optimizer;
    },
  };
}

function storeFor(op: string, target: ArtifactsTarget): ArtifactStore {
  if (typeof target === 'object' && target !== null) return memoryStore(target);
  if (typeof target !== 'string' || target === '') throw new ArgumentError(`${op}: expected a folder path, 'indexeddb://name', 'downloads://name', a URL or { json, weights }, got ${JSON.stringify(target)}`);
  const scheme = /^(indexeddb|downloads):\/\/(.*)$/.exec(target);
  if (scheme) {
    if (!scheme[2]) throw new ArgumentError(`${op}: ${target} needs a model name after the //`);
    return scheme[1] === 'indexeddb' ? indexedDbStore(scheme[2]) : downloadStore(scheme[2]);
  }
  const files = hostFiles();
  return files && !isUrl(target) ? folderStore(files, target) : urlStore(target);
}

/** JSON with object keys sorted, so two architectures compare by content. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function checkArtifacts(op: string, a: ModelArtifacts): void {
  if (!a || typeof a.json !== 'object' || a.json === null) throw new ArgumentError(`${op}: artifacts need a JSON object \`json\``);
  if (!(a.weights instanceof Uint8Array)) throw new ArgumentError(`${op}: artifacts need \`weights\` as a Uint8Array (safetensors)`);
  if (a.optimizer !== undefined && !(a.optimizer instanceof Uint8Array)) throw new ArgumentError(`${op}: \`optimizer\` must be a Uint8Array (safetensors) when given`);
  readSafetensorsMetadata(a.weights);
  if (a.optimizer) readSafetensorsMetadata(a.optimizer);
}

/**
 * Saves model artifacts to `target`. A target already holding a model of a different
 * architecture (its `json` differs) is left alone with an ArgumentError unless
 * `overwrite: true`; the same architecture is replaced (a newer checkpoint). An IndexedDB quota
 * failure is a StorageQuotaError.
 *
 * ```ts
 * await wg.io.saveArtifacts('indexeddb://mnist-mlp', { json, weights });
 * ```
 */
export async function saveArtifacts(target: ArtifactsTarget, artifacts: ModelArtifacts, opts: { overwrite?: boolean } = {}): Promise<void> {
  checkArtifacts('saveArtifacts', artifacts);
  const store = storeFor('saveArtifacts', target);
  if (!opts.overwrite) {
    const existing = await store.readJson();
    if (existing && canonical(existing) !== canonical(artifacts.json)) {
      throw new ArgumentError(`saveArtifacts: ${store.where} holds a model of a different architecture; pass { overwrite: true } to replace it`);
    }
  }
  await store.write(artifacts);
}

/**
 * Loads model artifacts from `source` (see ArtifactsTarget), checking the weights file's
 * header before returning anything.
 *
 * ```ts
 * const { json, weights } = await wg.io.loadArtifacts('https://example.com/models/mlp/model.json');
 * ```
 */
export async function loadArtifacts(source: ArtifactsTarget): Promise<ModelArtifacts> {
  const store = storeFor('loadArtifacts', source);
  const a = await store.read();
  if (!a) throw new ArgumentError(`loadArtifacts: no model at ${store.where}`);
  checkArtifacts(`loadArtifacts (${store.where})`, a);
  return a;
}
