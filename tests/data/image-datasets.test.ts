// fashionMnist and mnist: the real Fashion-MNIST files where installed (counts, shapes, labels),
// the same loader over generated files from a folder and over HTTP, and the missing-files error.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import systemPaths from '../../config/system-paths.json';
import { useBackend, wg } from '../helpers';
import { idxFile } from './idx-files';

/** A folder with a tiny data set in the four IDX files (images gzipped, labels raw). */
function writeTinySet(): string {
  const dir = mkdtempSync(join(tmpdir(), 'webgrad-idx-'));
  const images = (n: number) => idxFile('ubyte', [n, 28, 28], Array.from({ length: n * 784 }, (_, i) => i % 256));
  const labels = (n: number) => idxFile('ubyte', [n], Array.from({ length: n }, (_, i) => i % 10));
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(images(20)));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), labels(20));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(images(5)));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), labels(5));
  return dir;
}

describe('image data sets', () => {
  let tiny: string;
  beforeAll(async () => {
    await useBackend('cpu');
    tiny = writeTinySet();
  });
  afterAll(() => rmSync(tiny, { recursive: true, force: true }));

  it.runIf(existsSync(join(systemPaths.fashionMnist, 'train-images-idx3-ubyte.gz')))(
    'loads the installed Fashion-MNIST: 60,000 + 10,000 images in [0, 1], 6,000 training labels per class',
    async () => {
      const started = performance.now();
      const { train, test } = await wg.data.fashionMnist();
      console.log(`fashionMnist: loaded in ${(performance.now() - started).toFixed(0)} ms`);
      expect(train.x.shape).toEqual([60000, 28, 28, 1]);
      expect(train.x.dtype).toBe('float32');
      expect(train.y.shape).toEqual([60000]);
      expect(train.y.dtype).toBe('int32');
      expect(test.x.shape).toEqual([10000, 28, 28, 1]);
      expect(test.y.shape).toEqual([10000]);
      const counts = (labels: ArrayLike<number>) => {
        const out = new Array<number>(10).fill(0);
        for (let i = 0; i < labels.length; i++) out[labels[i]]++;
        return out;
      };
      expect(counts(await train.y.data())).toEqual(new Array(10).fill(6000));
      expect(counts(await test.y.data())).toEqual(new Array(10).fill(1000));
      expect(await train.x.min().item()).toBe(0);
      expect(await train.x.max().item()).toBe(1);
      expect(wg.data.fashionMnist.classNames).toHaveLength(10);
    },
  );

  it('loads from a folder with gzipped and raw files, scaling pixels by 1/255', async () => {
    const { train, test } = await wg.data.mnist({ from: tiny });
    expect(train.x.shape).toEqual([20, 28, 28, 1]);
    expect(test.y.shape).toEqual([5]);
    const x = await train.x.data();
    expect(x[255]).toBe(Math.fround(255 / 255));
    expect(x[256]).toBe(0);
    expect(x[3]).toBe(Math.fround(3 / 255));
    expect(Array.from(await test.y.data())).toEqual([0, 1, 2, 3, 4]);
  });

  it('loads from a URL base over HTTP', async () => {
    const { readFileSync } = await import('node:fs');
    const server = createServer((req, res) => {
      const file = join(tiny, (req.url ?? '/').replace(/^\/data\//, ''));
      if (!req.url?.startsWith('/data/') || !existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const { train } = await wg.data.fashionMnist({ from: `http://127.0.0.1:${port}/data` });
      expect(train.x.shape).toEqual([20, 28, 28, 1]);
      expect(Array.from(await train.y.data()).slice(0, 3)).toEqual([0, 1, 2]);
    } finally {
      server.close();
    }
  });

  it('says which file is missing and how to get it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'webgrad-empty-'));
    try {
      const err = await wg.data.mnist({ from: empty }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(wg.ArgumentError);
      expect((err as Error).message).toMatch(/mnist: (train|t10k)-(images|labels)-idx\d-ubyte\(\.gz\) is not in .*pass \{ from \}/);
      const fashion = await wg.data.fashionMnist({ from: empty }).catch((e: unknown) => e);
      expect((fashion as Error).message).toMatch(/apt-get install dataset-fashion-mnist/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('rejects images and labels that do not pair up', async () => {
    const dir = writeTinySet();
    try {
      writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idxFile('ubyte', [4], [0, 1, 2, 3]));
      const err = await wg.data.mnist({ from: dir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(wg.ArgumentError);
      expect((err as Error).message).toMatch(/t10k images ubyte \[5,28,28\] and labels ubyte \[4\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
