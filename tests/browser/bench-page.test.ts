// The benchmark page (bench/index.html) in quick mode in headless Chromium: every workload row
// completes on webgrad's two backends and on a peer (TensorFlow.js wasm), and the first-step
// values agree across engines.

import { expect, it } from 'vitest';
import type { BenchRow } from '../../bench/measure';
import { artifactPath, runBrowserPage } from './harness';

const engines = ['webgrad-webgpu', 'webgrad-cpu', 'tfjs-wasm'];

it('the benchmark page completes every quick row for webgrad and a peer, and its cross-engine check passes', async () => {
  const run = await runBrowserPage<BenchRow>(`bench/index.html?run=1&mode=quick&engines=${engines.join(',')}`, { screenshot: artifactPath('bench') });
  expect(run.errors).toEqual([]);
  const rows = run.results;
  expect(new Set(rows.map((r) => r.workload)).size).toBe(8);
  for (const engine of ['webgrad-webgpu', 'webgrad-cpu']) {
    const mine = rows.filter((r) => r.engine === engine);
    expect(mine.map((r) => [r.workload, r.note ?? 'ok'])).toEqual(mine.map((r) => [r.workload, 'ok']));
    expect(mine.every((r) => r.medianMs! > 0 && r.gflops! > 0)).toBe(true);
  }
  expect(rows.filter((r) => r.engine === 'webgrad-webgpu').every((r) => r.dispatches! > 0)).toBe(true);
  const peer = rows.filter((r) => r.engine === 'tfjs-wasm' && r.medianMs !== null);
  expect(peer.length).toBeGreaterThan(0);
  expect(rows.filter((r) => r.agrees === false)).toEqual([]);
  expect(peer.every((r) => r.agrees === true)).toBe(true);
  expect(rows.filter((r) => r.engine === 'webgrad-webgpu').every((r) => r.agrees === true)).toBe(true);
}, 300_000);
