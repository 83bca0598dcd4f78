// Pooling layers (NHWC): MaxPooling2D, AveragePooling2D (Keras: the average counts real pixels
// only) and GlobalAveragePooling2D, over wg.maxPool2d, wg.avgPool2d and wg.globalAvgPool2d.

import { avgPool2d, globalAvgPool2d, maxPool2d } from '../../ops/pool';
import type { Tensor } from '../../tensor';
import { Layer, type InputSpec, type LayerOptions, type LayerShape } from '../layer';

type Pair = number | readonly [number, number];

export interface Pooling2DOptions extends LayerOptions {
  poolSize?: Pair;
  /** Defaults to poolSize. */
  strides?: Pair;
  padding?: 'valid' | 'same';
}

abstract class Pooling2D extends Layer<Pooling2DOptions> {
  protected createParameters(inputShape: LayerShape): InputSpec {
    this.requireRank(inputShape, 4, 'images [batch, height, width, channels]');
    return { axes: [null, null, null, inputShape[3]] };
  }
  outputShape(inputShape: LayerShape): LayerShape {
    this.build(inputShape);
    return this.traceShape(inputShape, (x) => this.forward(x));
  }
  protected window() {
    const { poolSize = 2, strides, padding = 'valid' } = this.config;
    return { kernelSize: poolSize, stride: strides ?? poolSize, padding };
  }
}

/** Keras `MaxPooling2D`. */
export class MaxPooling2D extends Pooling2D {
  readonly className = 'MaxPooling2D';
  constructor(opts: Pooling2DOptions = {}) {
    super('max_pooling2d', opts);
  }
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.window());
  }
}

/** Keras `AveragePooling2D` (padding pixels are not counted). */
export class AveragePooling2D extends Pooling2D {
  readonly className = 'AveragePooling2D';
  constructor(opts: Pooling2DOptions = {}) {
    super('average_pooling2d', opts);
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.window());
  }
}

/** Keras `GlobalAveragePooling2D`: [N, H, W, C] → [N, C]. */
export class GlobalAveragePooling2D extends Layer {
  readonly className = 'GlobalAveragePooling2D';
  constructor(opts: LayerOptions = {}) {
    super('global_average_pooling2d', opts);
  }
  protected createParameters(inputShape: LayerShape): InputSpec {
    this.requireRank(inputShape, 4, 'images [batch, height, width, channels]');
    return { axes: [null, null, null, inputShape[3]] };
  }
  outputShape(inputShape: LayerShape): LayerShape {
    this.requireRank(inputShape, 4, 'images [batch, height, width, channels]');
    return [inputShape[0], inputShape[3]];
  }
  forward(x: Tensor): Tensor {
    return globalAvgPool2d(x);
  }
}
