// HostFiles on node:fs, registered by the Node entry (src/node.ts). Writes go to a temporary
// file renamed into place, so a crash never leaves half a file under the real name.

import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HostFiles } from './host-files';

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
};
