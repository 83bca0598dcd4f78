// 'indexeddb://name': models in the browser's IndexedDB (database "webgrad", store "models"),
// one record per name; listModels and removeModel manage them. A quota failure while saving is
// a StorageQuotaError, not a generic abort.

import { ArgumentError, StorageQuotaError } from '../errors';
import type { ArtifactStore, ModelArtifacts } from './manifest';

const DB = 'webgrad';
const STORE = 'models';

interface ModelRecord extends ModelArtifacts {
  name: string;
  savedAt: string;
  bytes: number;
}

/** A saved model as `listModels` describes it. */
export interface ModelInfo {
  name: string;
  /** When it was saved (ISO 8601). */
  savedAt: string;
  /** The bytes of its weights and optimizer state. */
  bytes: number;
}

function open(op: string): Promise<IDBDatabase> {
  if (typeof indexedDB === 'undefined') throw new ArgumentError(`${op}: IndexedDB is not available here (indexeddb:// works in a browser; in Node save to a folder path)`);
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'name' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new ArgumentError(`${op}: could not open IndexedDB: ${req.error?.message ?? 'unknown error'}`));
  });
}

function isQuota(err: DOMException | null): boolean {
  return err?.name === 'QuotaExceededError';
}

/** Runs `fn` in one transaction and resolves with its request's result once the transaction commits. */
async function inTransaction<T>(op: string, mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open(op);
  try {
    return await new Promise<T>((resolve, reject) => {
      let tx: IDBTransaction;
      let req: IDBRequest<T>;
      const failed = (err: DOMException | null) =>
        isQuota(err)
          ? new StorageQuotaError(`${op}: the browser's storage quota is exceeded (${err?.message ?? ''}); remove saved models with wg.io.removeModel or free space`)
          : new ArgumentError(`${op}: IndexedDB failed: ${err?.name ?? ''} ${err?.message ?? 'transaction aborted'}`);
      try {
        tx = db.transaction(STORE, mode);
        req = fn(tx.objectStore(STORE));
      } catch (err) {
        reject(failed(err instanceof DOMException ? err : null));
        return;
      }
      tx.oncomplete = () => resolve(req.result);
      tx.onabort = () => reject(failed(tx.error ?? req.error));
      tx.onerror = (e) => e.preventDefault();
    });
  } finally {
    db.close();
  }
}

export function indexedDbStore(name: string): ArtifactStore {
  const where = `indexeddb://${name}`;
  const get = (op: string) => inTransaction<ModelRecord | undefined>(op, 'readonly', (s) => s.get(name));
  return {
    where,
    readJson: async () => (await get('saveArtifacts'))?.json ?? null,
    async read() {
      const r = await get('loadArtifacts');
      return r ? { json: r.json, weights: r.weights, ...(r.optimizer ? { optimizer: r.optimizer } : {}) } : null;
    },
    async write(a) {
      const record: ModelRecord = {
        name,
        json: a.json,
        weights: a.weights,
        ...(a.optimizer ? { optimizer: a.optimizer } : {}),
        savedAt: new Date().toISOString(),
        bytes: a.weights.byteLength + (a.optimizer?.byteLength ?? 0),
      };
      await inTransaction('saveArtifacts', 'readwrite', (s) => s.put(record));
    },
  };
}

/**
 * The models saved in IndexedDB, by name.
 *
 * ```ts
 * for (const m of await wg.io.listModels()) console.log(m.name, m.savedAt, m.bytes);
 * ```
 */
export async function listModels(): Promise<ModelInfo[]> {
  const records = await inTransaction<ModelRecord[]>('listModels', 'readonly', (s) => s.getAll());
  return records.map(({ name, savedAt, bytes }) => ({ name, savedAt, bytes }));
}

/**
 * Deletes a model saved in IndexedDB (`'name'` or `'indexeddb://name'`); true if it existed.
 *
 * ```ts
 * await wg.io.removeModel('indexeddb://mnist-mlp');
 * ```
 */
export async function removeModel(name: string): Promise<boolean> {
  const key = typeof name === 'string' ? name.replace(/^indexeddb:\/\//, '') : '';
  if (!key) throw new ArgumentError(`removeModel: expected a model name or 'indexeddb://name', got ${JSON.stringify(name)}`);
  const existed = await inTransaction<number>('removeModel', 'readonly', (s) => s.count(key));
  if (existed) await inTransaction('removeModel', 'readwrite', (s) => s.delete(key));
  return existed > 0;
}
