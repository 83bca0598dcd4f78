// Loads webgrad's sources in Node for the timing scripts (conv-node, kernels-node, step-node): a
// Vite SSR loader over the project, and the Node entry first, which gives the engine Dawn (and
// falls back to the SwiftShader driver named in config/system-paths.json where there is no GPU).

import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

/** The loader (for other modules of the project) and the Node entry's exports. */
export async function loadInNode() {
  const loader = await createServer({
    root: fileURLToPath(new URL('..', import.meta.url)),
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    logLevel: 'error',
    server: { middlewareMode: true, hmr: false, ws: false, watch: null },
    appType: 'custom',
  });
  const wg = await loader.ssrLoadModule('/src/node.ts');
  return { loader, wg };
}
