/// <reference types="vitest/config" />
// One config for the three ways the repo is run: `vite` (dev server over the repo root: the site,
// i.e. the home page `index.html`, demo/*.html and bench/index.html, and the browser test page
// `tests/browser/index.html`), `vite build` (the library: a browser and a Node bundle) and `vitest`.

import { createReadStream, existsSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import systemPaths from './config/system-paths.json' with { type: 'json' };

const nodeExternals = ['webgpu', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/**
 * Serves the system data set folders (config/system-paths.json) under /datasets/NAME/, so pages
 * load Fashion-MNIST with `wg.data.fashionMnist()`; a missing file is a 404 saying what to install.
 */
function datasetFolders(): Plugin {
  const folders: Record<string, { dir: string; install: string }> = {
    'fashion-mnist': { dir: systemPaths.fashionMnist, install: 'apt-get install dataset-fashion-mnist' },
    mnist: { dir: systemPaths.mnist, install: `put the MNIST IDX files in ${systemPaths.mnist}` },
  };
  return {
    name: 'webgrad-datasets',
    configureServer(server) {
      server.middlewares.use('/datasets', (req, res) => {
        const [, name = '', file = ''] = /^\/([^/]+)\/([^/?]*)/.exec(req.url ?? '') ?? [];
        const folder = folders[name];
        const path = folder && file === basename(file) ? join(folder.dir, file) : '';
        if (path && existsSync(path) && statSync(path).isFile()) {
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': statSync(path).size });
          createReadStream(path).pipe(res);
          return;
        }
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(folder ? `${file} is not in ${folder.dir}: ${folder.install}\n` : `no data set "${name}" (known: ${Object.keys(folders).join(', ')})\n`);
      });
    },
  };
}

/**
 * Cross-origin isolation (COOP/COEP) for every page the dev server and `vite preview` serve, so
 * pages get SharedArrayBuffer and the CPU backend's WebAssembly kernels run on worker threads.
 */
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  plugins: [datasetFolders()],
  resolve: {
    // wgsl_reflect's `main` is CommonJS in a "type": "module" package, which Node refuses to
    // load; its `module` build works everywhere.
    // The site's pages (demo/, bench/) import the package by name, as a user would; the dev
    // server and the tests resolve it to the source.
    alias: [
      { find: /^wgsl_reflect$/, replacement: 'wgsl_reflect/wgsl_reflect.module.js' },
      { find: /^webgrad$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  server: {
    host: 'localhost',
    port: 5173,
    headers: isolation,
  },
  preview: { headers: isolation },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    copyPublicDir: false,
    sourcemap: true,
    lib: {
      entry: { webgrad: 'src/index.ts', 'webgrad-node': 'src/node.ts' },
      formats: ['es'],
      fileName: (_format, entryName) => `${entryName}.js`,
    },
    rolldownOptions: {
      external: nodeExternals,
      // keepNames: classes and functions keep their names when minified (Tensor, error classes).
      output: { chunkFileNames: 'chunks/webgrad-[hash].js', keepNames: true },
    },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    // Every file fails on a WebGPU validation error (tests/setup/no-gpu-errors.ts).
    setupFiles: ['tests/setup/no-gpu-errors.ts'],
    environment: 'node',
    // Deterministic kernels: no background calibration, no timings read from this machine's cache.
    env: { WEBGRAD_CALIBRATION: 'off', WEBGRAD_CACHE_DIR: '' },
    // One GPU emulator on two cores: test files run one after another, never in parallel.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
