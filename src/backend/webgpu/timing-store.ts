// Where calibration's measured kernel timings persist between processes and page loads:
// `localStorage` in browsers, a JSON file in the host's cache folder in Node (src/io/host-files.ts).
// Entries are per adapter and per shape class, each with the hash of the kernels it timed.

import { hostFiles, type HostFiles } from '../../io/host-files';

/** One shape class's timings so far: ms per variant timed, for the kernels of `hash`. */
export interface ClassTimings {
  readonly hash: string;
  readonly ms: Readonly<Record<string, number>>;
}

/** Adapter key → `${family}/${shapeClass}` → timings. */
export type StoredTimings = Record<string, Record<string, ClassTimings>>;

export interface TimingStore {
  load(): Promise<StoredTimings>;
  /** Records one class's timings for an adapter, keeping the other entries stored. */
  save(adapterKey: string, classKey: string, timings: ClassTimings): Promise<void>;
}

/** What the store needs of `localStorage`. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

// The format's version: a new layout of the entries changes the key and file name, dropping old ones.
const FORMAT = 1;
const STORAGE_KEY = `webgrad.kernelTimings.v${FORMAT}`;
const FILE_NAME = `kernel-timings-v${FORMAT}.json`;

/** The stored text's timings; anything unreadable (hand-edited, truncated) counts as none. */
function parse(text: string | null): StoredTimings {
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as StoredTimings) : {};
  } catch {
    return {};
  }
}

function merged(all: StoredTimings, adapterKey: string, classKey: string, timings: ClassTimings): StoredTimings {
  return { ...all, [adapterKey]: { ...all[adapterKey], [classKey]: timings } };
}

/** Timings kept in a browser's `localStorage` (or any storage with its two calls). */
export function localStorageStore(storage: KeyValueStorage): TimingStore {
  return {
    load: async () => parse(storage.getItem(STORAGE_KEY)),
    save: async (adapterKey, classKey, timings) => storage.setItem(STORAGE_KEY, JSON.stringify(merged(parse(storage.getItem(STORAGE_KEY)), adapterKey, classKey, timings))),
  };
}

/** Timings kept in one JSON file in `folder`, rewritten atomically (the last of two writers wins). */
export function fileStore(files: HostFiles, folder: string): TimingStore {
  const path = files.join(folder, FILE_NAME);
  const read = async () => {
    const bytes = await files.read(path);
    return parse(bytes ? new TextDecoder().decode(bytes) : null);
  };
  return {
    load: read,
    save: async (adapterKey, classKey, timings) => files.write(path, new TextEncoder().encode(JSON.stringify(merged(await read(), adapterKey, classKey, timings)))),
  };
}

/** The platform's store: the host's cache folder (Node), else `localStorage`, else none. */
export function platformTimingStore(): TimingStore | null {
  const files = hostFiles();
  if (files?.cacheFolder) return fileStore(files, files.cacheFolder);
  if (typeof localStorage !== 'undefined') return localStorageStore(localStorage);
  return null;
}
