// Keras `LSTM` (gate order i, f, g, o; PyTorch's cell numerics): kernel [I, 4H],
// recurrentKernel [H, 4H], bias [4H] with the forget block at one (Keras's unitForgetBias).

import { full } from '../../ops/creation';
import { concat } from '../../ops/movement';
import type { Tensor } from '../../tensor';
import { getInitializer } from '../initializers';
import { lstmSequence } from '../recurrent/lstm-op';
import { Recurrent, type RecurrentOptions, type SequenceCache } from './recurrent';

export interface LSTMOptions extends RecurrentOptions {
  /** Start the forget gate's bias at one (default true, as Keras). */
  unitForgetBias?: boolean;
}

export class LSTM extends Recurrent<LSTMOptions> {
  readonly className = 'LSTM';
  protected readonly gates = 4;
  protected readonly states = 2;

  constructor(opts: LSTMOptions) {
    super('lstm', opts);
  }

  protected override createBias(): Tensor {
    const { units: h, unitForgetBias = true, biasInitializer = 'zeros' } = this.config;
    if (!unitForgetBias) return super.createBias();
    const init = getInitializer(biasInitializer, this.name);
    return this.keep(concat([init.init([h]), full([h], 1), init.init([2 * h])]).requiresGrad_());
  }

  protected sequence(xw: Tensor, [h0, c0]: readonly Tensor[]): SequenceCache {
    return { cache: lstmSequence(xw, this.recurrentKernel!, h0, c0), stateSlots: [0, 1] };
  }
}
