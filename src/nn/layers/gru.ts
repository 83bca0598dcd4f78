// Keras `GRU` with reset_after (its default, PyTorch's form): gate order r, z, n;
// n = tanh(x·Wn + bn + r ⊙ (h·Un + bhn)), h′ = (1 − z) ⊙ n + z ⊙ h. kernel [I, 3H],
// recurrentKernel [H, 3H], bias [3H], recurrentBias [3H].

import type { Tensor } from '../../tensor';
import type { LayerShape, InputSpec } from '../layer';
import { gruSequence } from '../recurrent/gru-op';
import { Recurrent, type RecurrentOptions, type SequenceCache } from './recurrent';
import { zeros } from '../../ops/creation';

export class GRU extends Recurrent<RecurrentOptions> {
  readonly className = 'GRU';
  protected readonly gates = 3;
  protected readonly states = 1;
  recurrentBias: Tensor | null = null;

  constructor(opts: RecurrentOptions) {
    super('gru', opts);
  }

  protected override createParameters(inputShape: LayerShape): InputSpec {
    const spec = super.createParameters(inputShape);
    if (this.bias) this.recurrentBias = this.weight([3 * this.config.units], this.config.biasInitializer ?? 'zeros');
    return spec;
  }

  protected sequence(xw: Tensor, [h0]: readonly Tensor[]): SequenceCache {
    return { cache: gruSequence(xw, this.recurrentKernel!, this.recurrentBias ?? zeros([3 * this.config.units]), h0), stateSlots: [0] };
  }
}
