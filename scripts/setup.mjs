// Installs the system parts webgrad's tests, demos and benchmarks need: Chromium (WebGPU on
// SwiftShader for the browser suites and the ICD Dawn uses in Node), the Vulkan loader Dawn links
// against, and the Fashion-MNIST data set. Runs before every `npm test` and `npm start`, so it
// must be fast and silent when everything is present. Installing never fails: where it cannot
// (not root, not Debian) it says what to install, and the tests then say what is missing. Last,
// it builds the CPU backend's WebAssembly kernels when their sources changed (build-wasm.mjs).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const paths = JSON.parse(readFileSync(join(root, 'config/system-paths.json'), 'utf8'));

/** Debian package → what shows it is usable without asking dpkg. */
const wanted = [
  { pkg: 'chromium', present: () => paths.chromium.some(existsSync) },
  { pkg: 'libvulkan1', present: () => dpkgInstalled('libvulkan1') },
  { pkg: 'dataset-fashion-mnist', present: () => existsSync(paths.fashionMnist) },
];

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function isDebian() {
  return existsSync('/etc/debian_version') && spawnSync('apt-get', ['--version']).status === 0;
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function install(pkgs) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => execFileSync('apt-get', args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
  console.log(`webgrad setup: installing ${pkgs.join(' ')}`);
  run(['update', '-qq']);
  run(['install', '-y', '-qq', '--no-install-recommends', ...pkgs]);
}

const missing = wanted.filter((w) => !w.present()).map((w) => w.pkg);
if (missing.length > 0) {
  if (isRoot() && isDebian()) {
    try {
      install(missing);
    } catch (err) {
      console.warn(`webgrad setup: apt-get failed (${err.message}); install by hand: ${missing.join(' ')}`);
    }
  } else {
    console.warn(
      `webgrad setup: missing system packages: ${missing.join(' ')}\n` +
        `  on Debian/Ubuntu, as root: apt-get install -y ${missing.join(' ')}\n` +
        '  elsewhere: install Chromium (with SwiftShader), the Vulkan loader (libvulkan.so.1)\n' +
        `  and the Fashion-MNIST files in ${paths.fashionMnist}; tests needing them will say so.`,
    );
  }
}

if (paths.chromium.some(existsSync) && !paths.swiftshaderIcd.some(existsSync)) {
  console.warn(
    `webgrad setup: no SwiftShader Vulkan ICD at ${paths.swiftshaderIcd.join(' or ')}; ` +
      'WebGPU in Node (Dawn) needs a Vulkan driver, and finds none on a machine without a GPU.',
  );
}

await import('./build-wasm.mjs');
