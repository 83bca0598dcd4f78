// The Node entry: everything in src/index.ts, plus WebGPU through the `webgpu` package (Dawn).
// Where no Vulkan driver is configured, points Dawn at the SwiftShader ICD that Debian's
// Chromium ships (config/system-paths.json), so WebGPU runs on the CPU.

import { existsSync, readdirSync } from 'node:fs';
import systemPaths from '../config/system-paths.json' with { type: 'json' };
import { setGpuProvider } from './backend/webgpu/device';

export * from './index';

function hasSystemVulkanDriver(): boolean {
  return systemPaths.vulkanIcdDirs.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
}

setGpuProvider(async () => {
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && !hasSystemVulkanDriver()) {
    const icd = systemPaths.swiftshaderIcd.find((p) => existsSync(p));
    if (icd) process.env.VK_ICD_FILENAMES = icd;
  }
  let dawn: typeof import('webgpu');
  try {
    dawn = await import('webgpu');
  } catch {
    return undefined;
  }
  Object.assign(globalThis, dawn.globals);
  return dawn.create([]);
});
