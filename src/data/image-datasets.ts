// Fashion-MNIST and MNIST: four IDX files each (train/t10k images and labels, gzip or raw) from
// a folder (Node; the default is config/system-paths.json's, through HostFiles) or a URL base
// (the browser; the dev server serves the system folder under /datasets/…, see vite.config.ts).

import { ArgumentError } from '../errors';
import { hostFiles, isUrl } from '../io/host-files';
import { fromHost } from '../ops/creation';
import type { Examples, TrainTest } from './dataset';
import { readIdx } from './idx';


export interface LoadOptions {
  /** A folder (Node) or URL base (browser) holding the four files. */
  from?: string;
}

interface Source {
  readonly name: string;
  /** The key of its system folder in HostFiles.dataFolders. */
  readonly folder: 'fashionMnist' | 'mnist';
  readonly urlBase: string;
  readonly install: string;
}

async function fetchBytes(url: string): Promise<Uint8Array | null> {
  const res = await fetch(url);
  if (res.status === 404) return null;
  if (!res.ok) throw new ArgumentError(`could not fetch ${url}: HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The bytes of `file` (tried with `.gz` first) from a folder or a URL base. */
async function readFile(src: Source, from: string, file: string): Promise<Uint8Array> {
  const files = hostFiles();
  for (const name of [`${file}.gz`, file]) {
    const bytes = files && !isUrl(from)
      ? await files.read(files.join(from, name))
      : await fetchBytes(new URL(name, new URL(from.endsWith('/') ? from : `${from}/`, globalThis.location?.href)).href);
    if (bytes) return bytes;
  }
  throw new ArgumentError(`${src.name}: ${file}(.gz) is not in ${from}; ${src.install}, or pass { from } with the folder or URL holding the four IDX files`);
}

/** v / 255 for each byte value: a table lookup is the fastest exact conversion. */
const PIXEL_SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

async function loadSplit(src: Source, from: string, prefix: 'train' | 't10k'): Promise<Examples> {
  const [images, labels] = await Promise.all([
    readFile(src, from, `${prefix}-images-idx3-ubyte`).then(readIdx),
    readFile(src, from, `${prefix}-labels-idx1-ubyte`).then(readIdx),
  ]);
  const [n, h, w] = images.shape;
  if (images.type !== 'ubyte' || images.shape.length !== 3 || labels.type !== 'ubyte' || labels.shape.length !== 1 || labels.shape[0] !== n) {
    throw new ArgumentError(`${src.name}: ${prefix} images ${images.type} [${images.shape}] and labels ${labels.type} [${labels.shape}] are not N ubyte images with N ubyte labels`);
  }
  const pixels = images.values;
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = PIXEL_SCALE[pixels[i]];
  return { x: fromHost(x, [n, h, w, 1]), y: fromHost(Int32Array.from(labels.values), [n]) };
}

async function load(src: Source, opts: LoadOptions = {}): Promise<TrainTest> {
  const files = hostFiles();
  const from = opts.from ?? (files ? files.dataFolders[src.folder] : src.urlBase);
  const [train, test] = await Promise.all([loadSplit(src, from, 'train'), loadSplit(src, from, 't10k')]);
  return { train, test };
}

const FASHION: Source = {
  name: 'fashionMnist',
  folder: 'fashionMnist',
  urlBase: '/datasets/fashion-mnist/',
  install: 'install it with `apt-get install dataset-fashion-mnist` (Debian)',
};
const MNIST: Source = {
  name: 'mnist',
  folder: 'mnist',
  urlBase: '/datasets/mnist/',
  install: 'put the four MNIST IDX files in the folder config/system-paths.json names (`mnist`)',
};

/**
 * Loads Fashion-MNIST: 60,000 training and 10,000 test images of clothing in 10 classes
 * (`fashionMnist.classNames`): `x` float32 [N, 28, 28, 1] scaled to [0, 1], `y` int32 [N]. Node reads Debian's folder by default, a page its server's
 * `/datasets/fashion-mnist/`.
 *
 * ```ts
 * const { train, test } = await wg.data.fashionMnist();
 * train.x.shape; // [60000, 28, 28, 1]
 * ```
 */
export const fashionMnist = Object.assign((opts?: LoadOptions) => load(FASHION, opts), {
  classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as readonly string[],
});

/**
 * Loads MNIST (handwritten digits) where its files exist, with Fashion-MNIST's shapes.
 *
 * ```ts
 * const { train } = await wg.data.mnist({ from: '/data/mnist' });
 * ```
 */
export const mnist = Object.assign((opts?: LoadOptions) => load(MNIST, opts), {
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as readonly string[],
});
