// Runs a page of this repo in headless Chromium with WebGPU and returns what the page reports.
// Starts a Vite dev server over the repo root (so pages import `/src/*.ts` directly) and the system
// Chromium through puppeteer-core. A page reports by setting `window.__results` and then
// `window.__done = true`. It is a harness, not a test: it asserts nothing but that WebGPU exists.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { createServer, type ViteDevServer } from 'vite';
import systemPaths from '../../config/system-paths.json';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Flags that give headless Chromium a WebGPU adapter on a machine without a GPU (SwiftShader). */
export const chromiumFlags: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** One check's outcome, as a test page reports it in `window.__results`. */
export interface PageResult {
  name: string;
  pass: boolean;
  message: string;
}

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
}

export interface PageRun<R> {
  /** What the page put in `window.__results`. */
  results: R[];
  /** The adapter `navigator.gpu.requestAdapter()` returned in the page. */
  adapter: AdapterInfo;
  /** Console errors, uncaught WebGPU errors, uncaught exceptions and failed requests. */
  errors: string[];
  elapsedMs: number;
  /** The value of `RunOptions.inspect` in the finished page (undefined without it). */
  inspected?: unknown;
}

export interface RunOptions {
  /** How long to wait for `window.__done`; default 5 minutes (SwiftShader is slow). */
  timeoutMs?: number;
  /** Where to write a full-page PNG screenshot once the page is done (a test artifact). */
  screenshot?: string;
  /** The viewport width in CSS pixels (default Chromium's 800). */
  widthPx?: number;
  /** A JavaScript expression evaluated in the page once it is done and screenshot (awaited when a promise). */
  inspect?: string;
}

/** A dev server and a browser, kept open to run several pages. Close it when done. */
export interface BrowserSession {
  readonly baseUrl: string;
  run<R = PageResult>(pagePath: string, opts?: RunOptions): Promise<PageRun<R>>;
  close(): Promise<void>;
}

/** The system Chromium (see config/system-paths.json), or a thrown error saying how to get one. */
export function findChromium(): string {
  const found = systemPaths.chromium.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `no Chromium at ${systemPaths.chromium.join(', ')}: run \`node scripts/setup.mjs\` as root ` +
        'on Debian, or install Chromium and add its path to config/system-paths.json',
    );
  }
  return found;
}

export async function startBrowserSession(): Promise<BrowserSession> {
  const executablePath = findChromium();
  const server = await startDevServer();
  const userDataDir = mkdtempSync(join(tmpdir(), 'webgrad-chromium-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      userDataDir,
      args: [...chromiumFlags],
      pipe: true,
      // Waiting for a page is one long protocol call; let the page's own timeout decide.
      protocolTimeout: 0,
    });
  } catch (err) {
    await server.close();
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  const baseUrl = serverUrl(server);
  return {
    baseUrl,
    run: (pagePath, opts) => runPage(browser, new URL(pagePath, baseUrl).href, opts),
    async close() {
      await browser.close().catch(() => undefined);
      await server.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Where a page test writes its screenshot: tests/browser/artifacts/NAME.png (gitignored). */
export function artifactPath(name: string): string {
  return join(repoRoot, 'tests', 'browser', 'artifacts', `${name}.png`);
}

/** Starts a session, runs one page in it and closes it. */
export async function runBrowserPage<R = PageResult>(
  pagePath: string,
  opts?: RunOptions,
): Promise<PageRun<R>> {
  const session = await startBrowserSession();
  try {
    return await session.run<R>(pagePath, opts);
  } finally {
    await session.close();
  }
}

async function startDevServer(): Promise<ViteDevServer> {
  const server = await createServer({
    configFile: join(repoRoot, 'vite.config.ts'),
    root: repoRoot,
    logLevel: 'warn',
    clearScreen: false,
    // A test run serves a fixed tree: no file watching, no reloads in the middle of a page.
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
  });
  await server.listen();
  return server;
}

function serverUrl(server: ViteDevServer): string {
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('vite dev server has no TCP address');
  return `http://127.0.0.1:${address.port}/`;
}

async function runPage<R>(browser: Browser, url: string, opts: RunOptions = {}): Promise<PageRun<R>> {
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const started = Date.now();
  const page = await browser.newPage();
  if (opts.widthPx) await page.setViewport({ width: opts.widthPx, height: 900 });
  const watch = watchPage(page);
  try {
    await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
    const adapter = await requestAdapter(page);
    if (!adapter) {
      throw new Error(`no WebGPU adapter in headless Chromium at ${url}; errors: ${watch.errors.join(' | ')}`);
    }
    try {
      await Promise.race([
        page.waitForFunction('window.__done === true', { timeout: timeoutMs, polling: 100 }),
        watch.fatal,
      ]);
    } catch (err) {
      const partial = await page.evaluate('window.__results').catch(() => undefined);
      throw new Error(
        `${url} did not finish (${err instanceof Error ? err.message : String(err)}); ` +
          `results so far: ${JSON.stringify(partial)}; errors: ${watch.errors.join(' | ')}`,
      );
    }
    const results = ((await page.evaluate('window.__results')) ?? []) as R[];
    if (opts.screenshot) {
      mkdirSync(dirname(opts.screenshot), { recursive: true });
      await page.screenshot({ path: opts.screenshot as `${string}.png`, fullPage: true });
    }
    const inspected = opts.inspect === undefined ? undefined : await page.evaluate(opts.inspect);
    return { results, adapter, errors: watch.errors, elapsedMs: Date.now() - started, inspected };
  } finally {
    await page.close().catch(() => undefined);
  }
}

/** The context lines Dawn appends to a WebGPU validation message. */
const dawnMessage = /^\s*- While /m;

/**
 * Collects a page's errors. `fatal` rejects on the ones after which the page cannot report:
 * an uncaught exception, or a document or script that failed to load (a page's own scripts
 * catch their errors and report them as results).
 */
function watchPage(page: Page): { errors: string[]; fatal: Promise<never> } {
  const errors: string[] = [];
  let fail: (reason: Error) => void = () => undefined;
  const fatal = new Promise<never>((_, reject) => (fail = reject));
  fatal.catch(() => undefined);
  page.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' && !text.startsWith('Failed to load resource')) {
      errors.push(`console.error: ${text}`);
    } else if (msg.type() === 'warn' && dawnMessage.test(text)) {
      // Chromium logs a WebGPU error nobody captured as a warning; for webgrad it is a bug.
      errors.push(`WebGPU error: ${text}`);
    }
  });
  page.on('pageerror', (err) => {
    const text = `uncaught: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    errors.push(text);
    fail(new Error(text));
  });
  page.on('response', (res) => {
    const type = res.request().resourceType();
    if (res.status() >= 400 && (type === 'document' || type === 'script')) {
      // Vite prints why it could not serve a module; the page can report nothing after this.
      const text = `HTTP ${res.status()} for ${type} ${res.url()}`;
      errors.push(text);
      fail(new Error(text));
    }
  });
  page.on('requestfailed', (req) => {
    errors.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  return { errors, fatal };
}

function requestAdapter(page: Page): Promise<AdapterInfo | null> {
  return page.evaluate(async () => {
    if (!('gpu' in navigator)) return null;
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return null;
    const { vendor, architecture, description } = adapter.info;
    return { vendor, architecture, description };
  });
}
