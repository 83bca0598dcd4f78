// The home page (`npm start`, index.html) finds the adapter, links every page, shows the two
// install commands, runs its fused computation on WebGPU in headless Chromium and agrees with the
// CPU backend.

import { expect, it } from 'vitest';
import { artifactPath, runBrowserPage } from './harness';

interface Shown {
  adapter: string;
  links: string[];
  commands: string[];
}

const inspect = `({
  adapter: document.querySelector('#adapter').textContent,
  links: [...document.querySelectorAll('#pages a')].map((a) => a.getAttribute('href')),
  commands: [...document.querySelectorAll('pre')].map((p) => p.textContent),
})`;

it('the home page finds the adapter, links every page and runs its fused computation on WebGPU', async () => {
  const run = await runBrowserPage('index.html', { screenshot: artifactPath('home'), inspect });
  expect(run.errors).toEqual([]);
  expect(run.results).toHaveLength(1);
  expect(run.results[0]!.pass, run.results[0]!.message).toBe(true);
  expect(run.results[0]!.message).toMatch(/^webgpu:/);
  const shown = run.inspected as Shown;
  expect(shown.adapter).toMatch(/^WebGPU adapter: /);
  expect(shown.links).toEqual(['/demo/playground.html', '/demo/regression.html', '/demo/fashion.html', '/demo/sequences.html', '/bench/', '/demo/docs.html']);
  expect(shown.commands.slice(0, 2)).toEqual(['npm install webgrad', 'npm install && npm start']);
}, 300_000);
