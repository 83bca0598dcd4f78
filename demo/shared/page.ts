// What every page of the site shares: the header with links to every page, the adapter line with
// the backend switch (cpu / webgpu, kept in the URL as ?backend=), and the report a browser test
// reads (`window.__results`, `window.__done`). Pages import it; it imports webgrad by name.

import * as wg from 'webgrad';
import './site.css';
import 'uplot/dist/uPlot.min.css';

/** The site's pages, in header order. */
export const pages: readonly { path: string; title: string; blurb: string }[] = [
  { path: '/', title: 'Home', blurb: 'what webgrad is, the adapter found, how to install' },
  { path: '/demo/playground.html', title: 'Playground', blurb: '2-D classification: XOR, circles, spirals, blobs; the decision boundary live' },
  { path: '/demo/regression.html', title: 'Regression', blurb: 'fit a noisy 1-D function; SGD, momentum, Nesterov, RMSprop and Adam side by side' },
  { path: '/demo/fashion.html', title: 'Fashion-MNIST', blurb: 'an MLP or CNN trained with fit in a Web Worker: accuracy curves, confusion matrix, predictions' },
  { path: '/demo/sequences.html', title: 'Sequences', blurb: 'SimpleRNN vs GRU vs LSTM continuing a noisy signal' },
  { path: '/bench/', title: 'Benchmark', blurb: 'GPU vs CPU, and against TensorFlow.js and jax-js' },
  { path: '/demo/docs.html', title: 'Docs', blurb: 'getting started, guides, the API reference' },
];

/** One check a page reports to its browser test. */
export interface PageCheck {
  name: string;
  pass: boolean;
  message: string;
}

const $ = <T extends HTMLElement = HTMLElement>(selector: string): T => {
  const el = document.querySelector<T>(selector);
  if (!el) throw new Error(`page: no element ${selector}`);
  return el;
};
export { $ };

/** The backend the URL asks for (?backend=cpu|webgpu), or undefined for webgrad's default. */
function requestedBackend(): wg.BackendName | undefined {
  const b = new URLSearchParams(location.search).get('backend');
  return b === 'cpu' || b === 'webgpu' ? b : undefined;
}

/** A URL parameter of the page (test modes such as ?quick=1). */
export function param(name: string): string | null {
  return new URLSearchParams(location.search).get(name);
}

function header(): void {
  const nav = document.createElement('header');
  nav.className = 'site';
  const here = location.pathname.replace(/index\.html$/, '');
  for (const p of pages) {
    const a = Object.assign(document.createElement('a'), { href: p.path, textContent: p.path === '/' ? 'webgrad' : p.title });
    if (p.path === '/') a.className = 'brand';
    if (p.path === here) a.setAttribute('aria-current', 'page');
    nav.append(a);
  }
  document.body.prepend(nav);
}

/**
 * Starts a page: draws the header, initializes webgrad on the requested backend (webgpu where an
 * adapter exists, else cpu, said on the page), and fills `#adapter` with what was found and the
 * backend switch. Returns webgrad's init result.
 */
export async function startPage(): Promise<wg.InitResult> {
  header();
  const found = 'gpu' in navigator ? await navigator.gpu.requestAdapter() : null;
  const gpuMissing = !found;
  const info = await wg.init(gpuMissing ? { backend: 'cpu' } : { backend: requestedBackend() ?? 'webgpu' });
  const line = document.querySelector('#adapter');
  if (line) {
    line.className = 'adapter';
    const a = found?.info;
    const named = a ? [a.vendor, a.architecture, a.description].filter(Boolean).join(' · ') || '(not described)' : '';
    const software = a && /swiftshader/i.test(`${a.vendor} ${a.description} ${a.architecture}`) ? ' — a software adapter: the "GPU" is the CPU.' : '';
    const what = gpuMissing
      ? 'No WebGPU adapter in this browser: the CPU backend runs instead (WebGPU needs Chromium, or another browser with WebGPU enabled, on https or localhost).'
      : info.backend === 'cpu'
        ? `CPU backend, as chosen (WebGPU adapter available: ${named}).`
        : `WebGPU adapter: ${named}${software}`;
    line.textContent = what;
    const label = Object.assign(document.createElement('label'), { textContent: 'backend ' });
    const select = document.createElement('select');
    for (const b of ['webgpu', 'cpu'] as const) {
      const o = Object.assign(document.createElement('option'), { value: b, textContent: b, selected: b === info.backend, disabled: b === 'webgpu' && gpuMissing });
      select.append(o);
    }
    select.addEventListener('change', () => {
      const url = new URL(location.href);
      url.searchParams.set('backend', select.value);
      location.href = url.href;
    });
    label.append(select);
    line.append(label);
  }
  return info;
}

/** Reports a page's checks to its browser test (and marks the page done). */
export function reportChecks(checks: PageCheck[]): void {
  Object.assign(window, { __results: checks, __done: true });
}

/** Runs a page's `main`, reporting its checks, or the error it threw as a failed check. */
export function runPage(main: () => Promise<PageCheck[]>): void {
  main().then(reportChecks, (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    const status = document.querySelector('#status');
    if (status) {
      status.className = 'error';
      status.textContent = message;
    }
    reportChecks([{ name: 'page', pass: false, message }]);
  });
}
