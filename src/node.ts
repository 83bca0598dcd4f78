// The Node entry: everything in src/index.ts, plus WebGPU through the `webgpu` package (Dawn),
// retrying with Debian Chromium's SwiftShader ICD (config/system-paths.json) where Dawn finds no
// usable Vulkan driver; `WEBGRAD_CALIBRATION=off` or `=background` sets kernel calibration's default.

import { existsSync, readdirSync } from 'node:fs';
import systemPaths from '../config/system-paths.json' with { type: 'json' };
import { setGpuProvider } from './backend/webgpu/device';
import { setHostFiles } from './io/host-files';
import { nodeFiles } from './io/node-files';
import { setCalibrationDefault } from './runtime';

export * from './index';

setHostFiles(nodeFiles);
const calibration = process.env.WEBGRAD_CALIBRATION;
if (calibration === 'off' || calibration === 'background') setCalibrationDefault(calibration);

// Dawn aborts on a later mapAsync if the object create() returned is collected while its
// device lives, so the GPU object is held for the life of the process.
let dawnGpu: GPU | undefined;

function hasSystemVulkanDriver(): boolean {
  return systemPaths.vulkanIcdDirs.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
}

setGpuProvider(async () => {
  if (dawnGpu) return dawnGpu;
  let dawn: typeof import('webgpu');
  try {
    dawn = await import('webgpu');
  } catch {
    return undefined;
  }
  Object.assign(globalThis, dawn.globals);
  const icd = systemPaths.swiftshaderIcd.find((p) => existsSync(p));
  const chosen = process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES;
  // No Vulkan driver installed at all: go straight to SwiftShader rather than let Dawn fail first.
  if (!chosen && icd && !hasSystemVulkanDriver()) process.env.VK_ICD_FILENAMES = icd;
  const gpu = dawn.create([]);
  if (await gpu.requestAdapter()) return (dawnGpu = gpu);
  // Drivers Dawn cannot use (lavapipe, a GPU driver without its GPU): retry with SwiftShader.
  if (!icd || process.env.VK_ICD_FILENAMES === icd) return undefined;
  process.env.VK_ICD_FILENAMES = icd;
  return (dawnGpu = dawn.create([]));
});
