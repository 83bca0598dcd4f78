/// <reference types="vitest/config" />
// One config for the three ways the repo is run: `vite` (dev server over the repo root: the site,
// i.e. the home page `index.html`, demo/*.html and bench/index.html, and the browser test page
// `tests/browser/index.html`), `vite build` (the library: a browser and a Node bundle) and `vitest`.

import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const nodeExternals = ['webgpu', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default defineConfig({
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
  },
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
      output: { chunkFileNames: 'chunks/webgrad-[hash].js' },
    },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // One GPU emulator on two cores: test files run one after another, never in parallel.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
