// The browser I/O checks, run by io-page.ts in headless Chromium and reported one vitest test
// per row by io.test.ts: IndexedDB save/load/list/remove, overwrite and quota errors, downloads,
// a model from a URL, and Fashion-MNIST from the dev server's /datasets/ folder.
// Only types come from the library here, so Node can read the table's names.

import { assert, fill, valuesOn, type Check, type Tensor, type Wg } from './checks/compare';

const architecture = { className: 'Sequential', layers: [{ className: 'Dense', config: { units: 3, inputShape: [4] } }] };

async function mlp(wg: Wg, seed: number) {
  const named = new Map([['0.kernel', fill(wg, [4, 3], seed)], ['0.bias', fill(wg, [3], seed + 1)]]);
  return { named, artifacts: { json: architecture, weights: await wg.io.saveSafetensors(named) } };
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

/** Replaces `obj[key]` while `fn` runs. */
async function patched<T extends object, K extends keyof T>(obj: T, key: K, value: T[K], fn: () => Promise<void>): Promise<void> {
  const original = obj[key];
  obj[key] = value;
  try {
    await fn();
  } finally {
    obj[key] = original;
  }
}

export const ioChecks: Check[] = [
  {
    name: 'a model saved to IndexedDB loads back and predicts the same bits',
    run: async (wg) => {
      const { named, artifacts } = await mlp(wg, 1);
      await wg.io.saveArtifacts('indexeddb://check-mlp', artifacts, { overwrite: true });
      const loaded = await wg.io.loadArtifacts('indexeddb://check-mlp');
      assert(JSON.stringify(loaded.json) === JSON.stringify(architecture), `json came back as ${JSON.stringify(loaded.json)}`);
      const back = wg.io.loadSafetensors(loaded.weights);
      const x = fill(wg, [5, 4], 7);
      const predict = (p: Map<string, InstanceType<Wg['Tensor']>>) => x.matmul(p.get('0.kernel')!).add(p.get('0.bias')!);
      assert(same(await predict(back).data(), await predict(named).data()), 'predictions differ after the round trip');
    },
  },
  {
    name: 'listModels lists a saved model and removeModel deletes it',
    run: async (wg) => {
      await wg.io.saveArtifacts('indexeddb://check-list', (await mlp(wg, 2)).artifacts, { overwrite: true });
      const listed = (await wg.io.listModels()).find((m) => m.name === 'check-list');
      assert(!!listed && listed.bytes > 0 && !Number.isNaN(Date.parse(listed.savedAt)), `listModels gave ${JSON.stringify(listed)}`);
      assert((await wg.io.removeModel('indexeddb://check-list')) === true, 'removeModel did not find the model');
      assert(!(await wg.io.listModels()).some((m) => m.name === 'check-list'), 'the model is still listed');
      assert((await wg.io.removeModel('check-list')) === false, 'removing it twice found it again');
    },
  },
  {
    name: 'IndexedDB refuses to replace a different architecture unless asked',
    run: async (wg) => {
      const { artifacts } = await mlp(wg, 3);
      await wg.io.saveArtifacts('indexeddb://check-guard', artifacts, { overwrite: true });
      const other = { ...artifacts, json: { className: 'Other' } };
      const err = await wg.io.saveArtifacts('indexeddb://check-guard', other).catch((e: unknown) => e);
      assert(err instanceof wg.ArgumentError && /different architecture/.test(err.message), `got ${String(err)}`);
      await wg.io.saveArtifacts('indexeddb://check-guard', other, { overwrite: true });
      assert(JSON.stringify((await wg.io.loadArtifacts('indexeddb://check-guard')).json) === '{"className":"Other"}', 'overwrite did not replace');
      await wg.io.removeModel('check-guard');
    },
  },
  {
    name: 'a quota failure in IndexedDB is a StorageQuotaError',
    run: async (wg) => {
      const { artifacts } = await mlp(wg, 4);
      const full = () => {
        throw new DOMException('the quota has been exceeded', 'QuotaExceededError');
      };
      await patched(IDBObjectStore.prototype, 'put', full as unknown as IDBObjectStore['put'], async () => {
        const err = await wg.io.saveArtifacts('indexeddb://check-quota', artifacts).catch((e: unknown) => e);
        assert(err instanceof wg.StorageQuotaError && /quota/.test(err.message), `got ${String(err)}`);
      });
    },
  },
  {
    name: "'downloads://name' downloads name.json and name.safetensors",
    run: async (wg) => {
      const { artifacts } = await mlp(wg, 5);
      const clicked: { name: string; href: string }[] = [];
      const capture = function (this: HTMLAnchorElement) {
        clicked.push({ name: this.download, href: this.href });
      };
      await patched(HTMLAnchorElement.prototype, 'click', capture, () => wg.io.saveArtifacts('downloads://my-mlp', artifacts));
      const names = clicked.map((c) => c.name).sort();
      assert(names.join() === 'my-mlp.json,my-mlp.safetensors', `downloaded ${names.join()}`);
      const manifest = await (await fetch(clicked.find((c) => c.name === 'my-mlp.json')!.href)).json();
      assert(manifest.weights === 'my-mlp.safetensors' && manifest.model.className === 'Sequential', `manifest ${JSON.stringify(manifest)}`);
      const weights = new Uint8Array(await (await fetch(clicked.find((c) => c.name === 'my-mlp.safetensors')!.href)).arrayBuffer());
      assert(same(weights, artifacts.weights), 'the downloaded weights differ from the saved ones');
    },
  },
  {
    name: 'a model loads from a URL (the committed safetensors fixture)',
    run: async (wg) => {
      const loaded = await wg.io.loadArtifacts('/tests/io/fixtures/model.json');
      const t = wg.io.loadSafetensors(loaded.weights);
      assert(same(await t.get('count')!.data(), [42, -42]), 'count is not [42, -42]');
      const w = await t.get('fc.weight')!.data();
      assert(w[0] === 0.5 && w[1] === -1.25, `fc.weight starts ${w[0]}, ${w[1]}`);
      const err = await wg.io.saveArtifacts('/tests/io/fixtures/model.json', loaded).catch((e: unknown) => e);
      assert(err instanceof wg.ArgumentError && /cannot save to the URL/.test(err.message), `saving to a URL gave ${String(err)}`);
    },
  },
  {
    name: 'Fashion-MNIST loads from the dev server, 1,000 test images per class',
    run: async (wg) => {
      const { train, test } = await wg.data.fashionMnist();
      assert(train.x.shape.join() === '60000,28,28,1' && test.y.shape.join() === '10000', `shapes ${train.x.shape} and ${test.y.shape}`);
      const counts = new Array<number>(10).fill(0);
      for (const c of await test.y.data()) counts[c]++;
      assert(counts.every((c) => c === 1000), `test label counts ${counts}`);
      const res = await fetch('/datasets/fashion-mnist/no-such-file');
      const text = await res.text();
      assert(res.status === 404 && text.includes('apt-get install dataset-fashion-mnist'), `a missing file gave ${res.status}: ${text}`);
    },
  },
  {
    name: 'an augmented batch is the same on WebGPU and the CPU for the same seed',
    run: async (wg) => {
      const a = wg.data.augment;
      const steps = {
        flip: (x: Tensor) => a.randomFlip(x, { seed: 1 }),
        shift: (x: Tensor) => a.randomShift(x, { seed: 2 }),
        rotate: (x: Tensor) => a.randomRotate(x, { seed: 3 }),
        chain: (x: Tensor) => a.randomRotate(a.randomShift(a.randomFlip(x, { seed: 1 }), { seed: 2 }), { seed: 3 }),
      };
      for (const [name, step] of Object.entries(steps)) {
        const [gpu, cpu] = [await valuesOn(wg, 'webgpu', (w) => step(fill(w, [8, 28, 28, 1], 9))), await valuesOn(wg, 'cpu', (w) => step(fill(w, [8, 28, 28, 1], 9)))];
        const bad = gpu.values.filter((v, i) => !Object.is(v, cpu.values[i])).length;
        assert(bad === 0, `${name}: ${bad} of ${gpu.values.length} values differ`);
      }
    },
  },
];
