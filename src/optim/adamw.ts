// AdamW, exactly torch.optim.AdamW: Adam's rule with decoupled weight decay, p ← p·(1 − lr·λ)
// before the Adam step (weightDecay default 0.01).

import { AdamFamily, type AdamOptions, type AdamResolved } from './adam';
import type { Params } from './optimizer';

/**
 * AdamW, as `torch.optim.AdamW`.
 *
 * ```ts
 * const opt = new wg.optim.AdamW(net.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 * ```
 */
export class AdamW extends AdamFamily {
  constructor(params: Params<AdamResolved>, opts?: AdamOptions) {
    super('AdamW', params, opts, 0.01, true);
  }
}
