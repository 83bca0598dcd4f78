// Layers without parameters that reshape or map their input: Flatten, Dropout and Activation.

import { ArgumentError, ShapeError } from '../../errors';
import type { Tensor } from '../../tensor';
import { getActivation, type ActivationName } from '../activations';
import { dropout } from '../functional/dropout';
import { formatShape, Layer, type InputSpec, type LayerOptions, type LayerShape } from '../layer';

/** Keras `Flatten`: [batch, ...] → [batch, product of the rest]. */
export class Flatten extends Layer {
  readonly className = 'Flatten';
  constructor(opts: LayerOptions = {}) {
    super('flatten', opts);
  }
  protected createParameters(inputShape: LayerShape): InputSpec {
    if (inputShape.length < 1) throw new ShapeError(`${this.where()}: needs an input with a batch axis, got ${formatShape(inputShape)}`);
    return { axes: [null, ...inputShape.slice(1)] };
  }
  outputShape(inputShape: LayerShape): LayerShape {
    const rest = inputShape.slice(1);
    return [inputShape[0], rest.some((d) => d === null) ? null : rest.reduce<number>((p, d) => p * (d as number), 1)];
  }
  forward(x: Tensor): Tensor {
    return x.reshape([x.shape[0], -1]);
  }
}

export interface DropoutLayerOptions extends LayerOptions {
  rate: number;
}

/** Keras `Dropout`: inverted dropout in training, the identity in eval(). */
export class Dropout extends Layer<DropoutLayerOptions> {
  readonly className = 'Dropout';
  constructor(opts: DropoutLayerOptions) {
    super('dropout', opts);
    if (!(typeof opts.rate === 'number' && opts.rate >= 0 && opts.rate < 1)) throw new ArgumentError(`dropout: rate must be a number in [0, 1), got ${opts.rate}`);
  }
  protected createParameters(): InputSpec {
    return { axes: [], anyLeading: true };
  }
  outputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.config.rate, { training: this.training });
  }
}

export interface ActivationLayerOptions extends LayerOptions {
  activation: ActivationName;
}

/** Keras `Activation`: applies a named activation. */
export class Activation extends Layer<ActivationLayerOptions> {
  readonly className = 'Activation';
  constructor(opts: ActivationLayerOptions) {
    super('activation', opts);
    getActivation(opts.activation, 'activation');
  }
  protected createParameters(): InputSpec {
    return { axes: [], anyLeading: true };
  }
  outputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }
  forward(x: Tensor): Tensor {
    return getActivation(this.config.activation, this.name)(x);
  }
}
