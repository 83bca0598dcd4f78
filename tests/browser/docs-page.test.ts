// The docs page (demo/docs.html) in headless Chromium, after `npm run docs` (TypeDoc) has built
// the guides and the API reference into demo/api/: it links them, and every link leads to a built
// page (its screenshot at a phone's 360 px width).

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { artifactPath, runBrowserPage } from './harness';

it('the docs page links the guides and the API reference that npm run docs builds, every link to a built page', async () => {
  execFileSync('npx', ['typedoc'], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: 'pipe' });
  const run = await runBrowserPage('demo/docs.html', { screenshot: artifactPath('docs-360px'), widthPx: 360 });
  expect(run.errors).toEqual([]);
  expect(run.results).toEqual([
    { name: 'docs page', pass: true, message: 'docs built' },
    { name: 'every guide and reference link leads to a built page', pass: true, message: '14 pages' },
  ]);
}, 300_000);
