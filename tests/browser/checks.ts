// The browser suite's checks: one row per behaviour, run in headless Chromium by page.ts and
// reported one vitest test per row by browser.test.ts. The rows live in checks/, one file per
// family of ops; add a row for every op there, built from the helpers of checks/compare.ts.
// Only types come from the library here, so Node can read the table's names without a GPU.

import type { Check } from './checks/compare';
import { creationChecks } from './checks/creation';
import { elementwiseChecks } from './checks/elementwise';
import { fusionChecks } from './checks/fusion';
import { kernelChecks } from './checks/kernels';
import { linalgChecks } from './checks/linalg';
import { movementChecks } from './checks/movement';
import { nnChecks } from './checks/nn';
import { reduceChecks } from './checks/reduce';

export type { Check, Wg } from './checks/compare';

export const checks: Check[] = [
  {
    name: 'init picks the webgpu backend and describes the adapter',
    run: async (wg) => {
      const info = await wg.init({ backend: 'webgpu' });
      if (info.backend !== 'webgpu') throw new Error(`init chose backend ${info.backend}`);
      if (typeof info.adapter.vendor !== 'string') throw new Error('init returned no adapter vendor');
      if (wg.getBackend() !== 'webgpu') throw new Error(`getBackend() is ${wg.getBackend()}`);
    },
  },
  ...fusionChecks,
  ...creationChecks,
  ...elementwiseChecks,
  ...reduceChecks,
  ...movementChecks,
  ...linalgChecks,
  ...nnChecks,
  ...kernelChecks,
];
