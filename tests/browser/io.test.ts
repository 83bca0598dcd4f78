// Runs tests/browser/io.html in headless Chromium and turns each row of io-checks.ts into one
// test: models in IndexedDB and as downloads, a model from a URL, Fashion-MNIST from the server.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSession, type BrowserSession, type PageResult, type PageRun } from './harness';
import { ioChecks } from './io-checks';

describe('browser: model and data I/O in headless Chromium', () => {
  let session: BrowserSession | undefined;
  let run: PageRun<PageResult>;

  beforeAll(async () => {
    session = await startBrowserSession();
    run = await session.run('tests/browser/io.html');
  }, 600_000);

  afterAll(async () => {
    await session?.close();
  });

  it('logs no errors', () => {
    expect(run.errors).toEqual([]);
  });

  it.each(ioChecks.map((c) => c.name))('%s', (name) => {
    const failures = run.results.filter((r) => !r.pass && !ioChecks.some((c) => c.name === r.name));
    expect(failures, 'the page failed before running its checks').toEqual([]);
    const result = run.results.find((r) => r.name === name);
    expect(result, `the page reported no result for "${name}"`).toBeDefined();
    expect(result!.pass, result!.message).toBe(true);
  });
});
