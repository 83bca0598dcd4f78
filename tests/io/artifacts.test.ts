// Model artifacts in Node: in memory, in a folder (model.json + model.safetensors), from a URL;
// a reloaded model predicts the same bits and trains on; overwrite rules and bad inputs.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBoth, randomTensor, useBackend, wg } from '../helpers';

/** A Keras-style two-layer MLP as the lead's Sequential will describe it. */
const architecture = {
  className: 'Sequential',
  layers: [
    { className: 'Dense', config: { units: 8, activation: 'relu', inputShape: [4] } },
    { className: 'Dense', config: { units: 3, activation: 'linear' } },
  ],
};

function mlp(seed: number) {
  return new Map([
    ['0.kernel', randomTensor([4, 8], seed)],
    ['0.bias', randomTensor([8], seed + 1)],
    ['1.kernel', randomTensor([8, 3], seed + 2)],
    ['1.bias', randomTensor([3], seed + 3)],
  ]);
}
const predict = (p: Map<string, wg.Tensor>, x: wg.Tensor) => x.matmul(p.get('0.kernel')!).add(p.get('0.bias')!).relu().matmul(p.get('1.kernel')!).add(p.get('1.bias')!);

/** One SGD step on the squared output, returning the new parameters. */
function sgdStep(p: Map<string, wg.Tensor>, x: wg.Tensor): Map<string, wg.Tensor> {
  const leaves = new Map([...p].map(([k, t]) => [k, t.detach().requiresGrad_()]));
  predict(leaves, x).square().mean().backward();
  return new Map([...leaves].map(([k, t]) => [k, wg.noGrad(() => t.sub(t.grad!.mul(0.1)))]));
}

async function artifactsOf(p: Map<string, wg.Tensor>, withOptimizer = false): Promise<wg.io.ModelArtifacts> {
  const weights = await wg.io.saveSafetensors(p);
  return { json: architecture, weights, ...(withOptimizer ? { optimizer: await wg.io.saveSafetensors({ 'state.step': wg.tensor([3], { dtype: 'int32' }) }) } : {}) };
}

describe('model artifacts in Node', () => {
  let dir: string;
  beforeAll(async () => {
    await initBoth();
    dir = mkdtempSync(join(tmpdir(), 'webgrad-models-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['cpu', 'webgpu'] as const)('a model saved to a folder and reloaded predicts the same bits and keeps training (%s)', async (backend) => {
    await useBackend(backend);
    const params = mlp(1);
    const x = randomTensor([5, 4], 9);
    const folder = join(dir, `mlp-${backend}`);
    await wg.io.saveArtifacts(folder, await artifactsOf(params));
    expect(existsSync(join(folder, 'model.json')) && existsSync(join(folder, 'model.safetensors'))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
    expect(manifest).toEqual({ format: 'webgrad-model', formatVersion: 1, model: architecture, weights: 'model.safetensors' });

    const loaded = await wg.io.loadArtifacts(folder);
    expect(loaded.json).toEqual(architecture);
    const reloaded = wg.io.loadSafetensors(loaded.weights);
    expect(Array.from(await predict(reloaded, x).data())).toEqual(Array.from(await predict(params, x).data()));
    const [a, b] = [sgdStep(params, x), sgdStep(reloaded, x)];
    for (const k of params.keys()) expect(Array.from(await b.get(k)!.data())).toEqual(Array.from(await a.get(k)!.data()));
  });

  it('keeps optimizer state beside the weights, and drops a stale one', async () => {
    await useBackend('cpu');
    const folder = join(dir, 'with-optimizer');
    await wg.io.saveArtifacts(folder, await artifactsOf(mlp(2), true));
    const loaded = await wg.io.loadArtifacts(folder);
    expect(await wg.io.loadSafetensors(loaded.optimizer!).get('state.step')!.item()).toBe(3);
    await wg.io.saveArtifacts(folder, await artifactsOf(mlp(3)));
    expect(existsSync(join(folder, 'optimizer.safetensors'))).toBe(false);
    expect((await wg.io.loadArtifacts(folder)).optimizer).toBeUndefined();
  });

  it('refuses to replace a different architecture unless asked, and replaces the same one', async () => {
    await useBackend('cpu');
    const folder = join(dir, 'guarded');
    const first = await artifactsOf(mlp(4));
    await wg.io.saveArtifacts(folder, first);
    await wg.io.saveArtifacts(folder, { ...(await artifactsOf(mlp(5))), json: JSON.parse(JSON.stringify(architecture)) });
    const other = { json: { className: 'Sequential', layers: [] }, weights: first.weights };
    await expect(wg.io.saveArtifacts(folder, other)).rejects.toThrow(/holds a model of a different architecture; pass \{ overwrite: true \}/);
    await wg.io.saveArtifacts(folder, other, { overwrite: true });
    expect((await wg.io.loadArtifacts(folder)).json).toEqual(other.json);
  });

  it('loads the committed fixture folder, whose manifest names small.safetensors', async () => {
    await useBackend('cpu');
    const loaded = await wg.io.loadArtifacts(new URL('fixtures', import.meta.url).pathname);
    expect(loaded.json).toMatchObject({ className: 'Fixture' });
    expect(Array.from(await wg.io.loadSafetensors(loaded.weights).get('count')!.data())).toEqual([42, -42]);
  });

  it('saves into and loads from an object in memory', async () => {
    await useBackend('cpu');
    const box: Partial<wg.io.ModelArtifacts> = {};
    const a = await artifactsOf(mlp(6));
    await wg.io.saveArtifacts(box, a);
    expect(box.json).toEqual(architecture);
    expect((await wg.io.loadArtifacts(box)).weights).toBe(a.weights);
    await expect(wg.io.saveArtifacts(box, { ...a, json: { other: true } })).rejects.toThrow(wg.ArgumentError);
  });

  it('loads a model published at a URL, by folder or by manifest', async () => {
    await useBackend('cpu');
    const folder = join(dir, 'served');
    await wg.io.saveArtifacts(folder, await artifactsOf(mlp(7)));
    const server = createServer((req, res) => {
      const file = join(folder, (req.url ?? '').replace(/^\/models\/mlp\//, ''));
      if (!req.url?.startsWith('/models/mlp/') || !existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const address = server.address();
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/models/mlp`;
      for (const source of [url, `${url}/model.json`]) {
        const loaded = await wg.io.loadArtifacts(source);
        expect(loaded.json).toEqual(architecture);
        expect([...wg.io.loadSafetensors(loaded.weights).keys()]).toEqual(['0.kernel', '0.bias', '1.kernel', '1.bias']);
      }
      await expect(wg.io.loadArtifacts(`${url}/missing.json`)).rejects.toThrow(/HTTP 404/);
      await expect(wg.io.saveArtifacts(url, await artifactsOf(mlp(7)))).rejects.toThrow(/cannot save to the URL/);
    } finally {
      server.close();
    }
  });

  it('rejects a folder with a corrupt weights file, a missing one or a foreign manifest, before returning anything', async () => {
    await useBackend('cpu');
    const folder = join(dir, 'broken');
    await wg.io.saveArtifacts(folder, await artifactsOf(mlp(8)));
    writeFileSync(join(folder, 'model.safetensors'), new Uint8Array([1, 2, 3]));
    await expect(wg.io.loadArtifacts(folder)).rejects.toThrow(/fewer than the 8-byte header length/);
    rmSync(join(folder, 'model.safetensors'));
    await expect(wg.io.loadArtifacts(folder)).rejects.toThrow(/names model\.safetensors, which is missing/);
    writeFileSync(join(folder, 'model.json'), '{"modelTopology": {}}');
    await expect(wg.io.loadArtifacts(folder)).rejects.toThrow(/not a webgrad model manifest/);
    await expect(wg.io.loadArtifacts(join(dir, 'nothing-here'))).rejects.toThrow(/no model at the folder/);
  });

  it('says that IndexedDB and downloads need a browser, and checks what it saves', async () => {
    const a = await artifactsOf(mlp(9));
    await expect(wg.io.saveArtifacts('indexeddb://m', a)).rejects.toThrow(/IndexedDB is not available here/);
    await expect(wg.io.saveArtifacts('downloads://m', a)).rejects.toThrow(/needs a browser page/);
    await expect(wg.io.listModels()).rejects.toThrow(wg.ArgumentError);
    await expect(wg.io.saveArtifacts(join(dir, 'x'), { json: architecture, weights: [1, 2] as unknown as Uint8Array })).rejects.toThrow(/weights.*Uint8Array/);
    await expect(wg.io.saveArtifacts('indexeddb://', a)).rejects.toThrow(/needs a model name/);
  });
});
