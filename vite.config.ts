/// <reference types="vitest/config" />
// One config for the three ways the repo is run: `vite` (dev server over the repo root: the start
// page `index.html`, the browser test page `tests/browser/index.html`, demos and benchmarks),
// `vite build` (the library: a browser and a Node bundle) and `vitest` (the test suites).

import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

const nodeExternals = ['webgpu', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default defineConfig({
  resolve: {
    // wgsl_reflect's `main` is CommonJS in a "type": "module" package, which Node refuses to
    // load; its `module` build works everywhere.
    alias: [{ find: /^wgsl_reflect$/, replacement: 'wgsl_reflect/wgsl_reflect.module.js' }],
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
      // keepNames: classes and functions keep their names when minified (Tensor, error classes).
      output: { chunkFileNames: 'chunks/webgrad-[hash].js', keepNames: true },
    },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    // Every file fails on a WebGPU validation error (tests/setup/no-gpu-errors.ts).
    setupFiles: ['tests/setup/no-gpu-errors.ts'],
    environment: 'node',
    // One GPU emulator on two cores: test files run one after another, never in parallel.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
