// Loads the browser-test harness (tests/browser/harness.ts) from a plain Node script: Node runs no
// TypeScript itself, so the benchmark runners load it through Vite's module loader.

import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The harness module and the loader serving it; close the loader when done. */
export async function loadHarness() {
  const loader = await createServer({
    root,
    configFile: false,
    logLevel: 'error',
    server: { middlewareMode: true, hmr: false, watch: null },
    appType: 'custom',
  });
  try {
    return { harness: await loader.ssrLoadModule('/tests/browser/harness.ts'), loader };
  } catch (err) {
    await loader.close();
    throw err;
  }
}
