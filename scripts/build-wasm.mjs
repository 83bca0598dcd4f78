// Compiles the CPU backend's AssemblyScript kernels (src/backend/cpu/wasm/assembly/) with 128-bit
// SIMD, from the assemblyscript devDependency: kernels.wasm (own memory) and kernels-shared.wasm
// (an imported shared memory, for worker threads). Run by `npm run build` and scripts/setup.mjs;
// skips the compile when both are up to date.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = join(root, 'src/backend/cpu/wasm/assembly');
const outputs = {
  'kernels.wasm': ['--enable', 'simd', '--initialMemory', '1'],
  // Shared memory must declare its maximum: 65536 pages of 64 KiB, all of wasm32's 4 GiB.
  'kernels-shared.wasm': ['--enable', 'simd,threads', '--sharedMemory', '--importMemory', '--initialMemory', '1', '--maximumMemory', '65536'],
};

const newest = Math.max(...readdirSync(sources).map((f) => statSync(join(sources, f)).mtimeMs), statSync(fileURLToPath(import.meta.url)).mtimeMs);
for (const [name, flags] of Object.entries(outputs)) {
  const output = join(root, 'src/backend/cpu/wasm', name);
  if (existsSync(output) && statSync(output).mtimeMs >= newest && !process.argv.includes('--force')) continue;
  const asc = await import('assemblyscript/asc');
  const { error, stderr } = await asc.main([join(sources, 'kernels.ts'), '--outFile', output, '--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert', '--runtime', 'stub', ...flags]);
  if (error) {
    console.error(stderr.toString());
    throw new Error(`build-wasm: asc failed on ${name}: ${error.message}`);
  }
  console.log(`webgrad: built src/backend/cpu/wasm/${name}`);
}
