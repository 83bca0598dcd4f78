// Keras `SimpleRNN`: h′ = act(x·W + b + h·U); kernel [I, H], recurrentKernel [H, H], bias [H].

import { ArgumentError } from '../../errors';
import type { Tensor } from '../../tensor';
import { RNN_ACTIVATIONS, simpleRnnSequence, type RnnActivation } from '../recurrent/simple-rnn-op';
import { Recurrent, type RecurrentOptions, type SequenceCache } from './recurrent';

export interface SimpleRNNOptions extends RecurrentOptions {
  /** 'tanh' (default), 'relu', 'sigmoid' or 'linear': the ones the sequence kernel runs. */
  activation?: RnnActivation;
}

export class SimpleRNN extends Recurrent<SimpleRNNOptions> {
  readonly className = 'SimpleRNN';
  protected readonly gates = 1;
  protected readonly states = 1;

  constructor(opts: SimpleRNNOptions) {
    super('simple_rnn', opts);
    if (opts.activation !== undefined && !RNN_ACTIVATIONS.includes(opts.activation)) {
      throw new ArgumentError(`simpleRNN: activation must be one of ${RNN_ACTIVATIONS.join(', ')}, got '${String(opts.activation)}'`);
    }
  }

  protected sequence(xw: Tensor, [h0]: readonly Tensor[]): SequenceCache {
    const hs = simpleRnnSequence(xw, this.recurrentKernel!, h0, this.config.activation ?? 'tanh');
    return { cache: hs.reshape([xw.shape[0], xw.shape[1], 1, this.config.units]), stateSlots: [0] };
  }
}
