// HostFiles on node:fs, registered by the Node entry (src/node.ts), with the data set folders of
// config/system-paths.json. Writes go to a temporary file renamed into place, so a crash never
// leaves half a file under the real name.

import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import systemPaths from '../../config/system-paths.json' with { type: 'json' };
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
  dataFolders: { fashionMnist: systemPaths.fashionMnist, mnist: systemPaths.mnist },
};
