// HostFiles on node:fs, registered by the Node entry (src/node.ts), with the data set folders of
// config/system-paths.json. Writes go to a temporary file renamed into place, so a crash never
// leaves half a file under the real name.

import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import systemPaths from '../../config/system-paths.json' with { type: 'json' };
import type { HostFiles } from './host-files';

/** `WEBGRAD_CACHE_DIR` when set (empty: no cache), else `webgrad` under the platform's user cache folder. */
function cacheFolder(): string | undefined {
  const chosen = process.env.WEBGRAD_CACHE_DIR;
  if (chosen !== undefined) return chosen || undefined;
  const userCache = process.env.XDG_CACHE_HOME || (process.platform === 'win32' ? process.env.LOCALAPPDATA : undefined) || join(homedir(), '.cache');
  return join(userCache, 'webgrad');
}

export const nodeFiles: HostFiles = {
  async read(path) {
    try {
      const b = await readFile(path);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  },
  async write(path, bytes) {
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.partial`;
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  },
  async remove(path) {
    await rm(path, { force: true });
  },
  join: (...parts) => join(...parts),
  get cacheFolder() {
    return cacheFolder();
  },
  dataFolders: { fashionMnist: systemPaths.fashionMnist, mnist: systemPaths.mnist },
};
