// Runs tests/browser/threads.html in headless Chromium and turns each row of thread-checks.ts
// into one test: cross-origin isolation, cpu threads at init, threaded kernels equal one thread.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSession, type BrowserSession, type PageResult, type PageRun } from './harness';
import { threadChecks } from './thread-checks';

describe('browser: the CPU backend on Web Workers in headless Chromium', () => {
  let session: BrowserSession | undefined;
  let run: PageRun<PageResult>;

  beforeAll(async () => {
    session = await startBrowserSession();
    run = await session.run('tests/browser/threads.html');
  }, 600_000);

  afterAll(async () => {
    await session?.close();
  });

  it('logs no errors', () => {
    expect(run.errors).toEqual([]);
  });

  it.each(threadChecks.map((c) => c.name))('%s', (name) => {
    const failures = run.results.filter((r) => !r.pass && !threadChecks.some((c) => c.name === r.name));
    expect(failures, 'the page failed before running its checks').toEqual([]);
    const result = run.results.find((r) => r.name === name);
    expect(result, `the page reported no result for "${name}"`).toBeDefined();
    expect(result!.pass, result!.message).toBe(true);
  });
});
