// Runs tests/browser/index.html in headless Chromium (WebGPU on SwiftShader where there is no
// GPU) and turns each row of checks.ts into one test. Fails outright without a WebGPU adapter.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks } from './checks';
import { startBrowserSession, type BrowserSession, type PageResult, type PageRun } from './harness';

describe('browser: webgrad on WebGPU in headless Chromium', () => {
  let session: BrowserSession | undefined;
  let run: PageRun<PageResult>;

  beforeAll(async () => {
    session = await startBrowserSession();
    run = await session.run('tests/browser/index.html');
  }, 600_000);

  afterAll(async () => {
    await session?.close();
  });

  it('finds a WebGPU adapter', () => {
    expect(run.adapter).toBeTruthy();
  });

  it.each(checks.map((c) => c.name))('%s', (name) => {
    const result = run.results.find((r) => r.name === name);
    const failures = run.results.filter((r) => !r.pass && !checks.some((c) => c.name === r.name));
    expect(failures, 'the page failed before running its checks').toEqual([]);
    expect(result, `the page reported no result for "${name}"`).toBeDefined();
    expect(result!.pass, result!.message).toBe(true);
  });

  it('logs no errors', () => {
    expect(run.errors).toEqual([]);
  });
});
