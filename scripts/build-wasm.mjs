// Compiles the CPU backend's AssemblyScript kernels (src/backend/cpu/wasm/assembly/) to
// src/backend/cpu/wasm/kernels.wasm with 128-bit SIMD, from the assemblyscript devDependency.
// Run by `npm run build` and scripts/setup.mjs; skips the compile when the .wasm is up to date.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = join(root, 'src/backend/cpu/wasm/assembly');
const output = join(root, 'src/backend/cpu/wasm/kernels.wasm');

const newest = Math.max(...readdirSync(sources).map((f) => statSync(join(sources, f)).mtimeMs), statSync(fileURLToPath(import.meta.url)).mtimeMs);
if (!existsSync(output) || statSync(output).mtimeMs < newest || process.argv.includes('--force')) {
  const asc = await import('assemblyscript/asc');
  const { error, stderr } = await asc.main([
    join(sources, 'kernels.ts'),
    '--outFile', output,
    '--optimizeLevel', '3',
    '--shrinkLevel', '0',
    '--noAssert',
    '--runtime', 'stub',
    '--enable', 'simd',
    '--initialMemory', '1',
  ]);
  if (error) {
    console.error(stderr.toString());
    throw new Error(`build-wasm: asc failed: ${error.message}`);
  }
  console.log('webgrad: built src/backend/cpu/wasm/kernels.wasm');
}
