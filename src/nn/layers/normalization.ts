// BatchNormalization and LayerNormalization layers (the last axis). Batch norm normalizes with
// the batch's statistics in training and updates its moving statistics in place (computed with
// the next realize, the training step's); in eval() it uses the moving statistics.

import { noGrad, type Tensor } from '../../tensor';
import { batchNorm, layerNorm } from '../functional/normalization';
import { getInitializer, type InitializerSpec } from '../initializers';
import { Layer, type InputSpec, type LayerOptions, type LayerShape } from '../layer';
import { overwrite } from '../overwrite';

export interface BatchNormalizationOptions extends LayerOptions {
  momentum?: number;
  epsilon?: number;
  /** Learn β (default true). */
  center?: boolean;
  /** Learn γ (default true). */
  scale?: boolean;
  gammaInitializer?: InitializerSpec;
  betaInitializer?: InitializerSpec;
  movingMeanInitializer?: InitializerSpec;
  movingVarianceInitializer?: InitializerSpec;
}

/**
 * Keras `BatchNormalization` over the last axis: moving = moving · momentum + batch · (1 − momentum),
 * with the unbiased batch variance fed to the moving variance (the biased one normalizes).
 */
export class BatchNormalization extends Layer<BatchNormalizationOptions> {
  readonly className = 'BatchNormalization';
  gamma: Tensor | null = null;
  beta: Tensor | null = null;
  movingMean: Tensor | null = null;
  movingVariance: Tensor | null = null;

  constructor(opts: BatchNormalizationOptions = {}) {
    super('batch_normalization', opts);
    this.registerBuffer('movingMean');
    this.registerBuffer('movingVariance');
  }

  protected createParameters(inputShape: LayerShape): InputSpec {
    if (inputShape.length < 2) this.requireRank(inputShape, 2, 'inputs [batch, ..., channels]');
    const c = this.knownAxis(inputShape, -1, 'channel axis');
    const { center = true, scale = true, gammaInitializer = 'ones', betaInitializer = 'zeros' } = this.config;
    this.gamma = scale ? this.weight([c], gammaInitializer) : null;
    this.beta = center ? this.weight([c], betaInitializer) : null;
    this.movingMean = this.keep(getInitializer(this.config.movingMeanInitializer ?? 'zeros', this.name).init([c]));
    this.movingVariance = this.keep(getInitializer(this.config.movingVarianceInitializer ?? 'ones', this.name).init([c]));
    return { axes: [c], anyLeading: true };
  }

  outputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  forward(x: Tensor): Tensor {
    const { momentum = 0.99, epsilon = 1e-3 } = this.config;
    const norm = { gamma: this.gamma ?? undefined, beta: this.beta ?? undefined, epsilon };
    if (!this.training) return batchNorm(x, this.movingMean!, this.movingVariance!, norm);
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const mean = x.mean(axes);
    // From this mean, so both statistics share one reduction of x.
    const variance = x.sub(mean).square().mean(axes);
    const n = x.size / x.shape[x.rank - 1];
    noGrad(() => {
      overwrite(this.movingMean!, this.movingMean!.mul(momentum).add(mean.mul(1 - momentum)));
      const unbiased = n > 1 ? variance.mul(n / (n - 1)) : variance;
      overwrite(this.movingVariance!, this.movingVariance!.mul(momentum).add(unbiased.mul(1 - momentum)));
    });
    return batchNorm(x, mean, variance, norm);
  }
}

export interface LayerNormalizationOptions extends LayerOptions {
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  gammaInitializer?: InitializerSpec;
  betaInitializer?: InitializerSpec;
}

/** Keras `LayerNormalization` over the last axis (each sample's own statistics). */
export class LayerNormalization extends Layer<LayerNormalizationOptions> {
  readonly className = 'LayerNormalization';
  gamma: Tensor | null = null;
  beta: Tensor | null = null;

  constructor(opts: LayerNormalizationOptions = {}) {
    super('layer_normalization', opts);
  }

  protected createParameters(inputShape: LayerShape): InputSpec {
    if (inputShape.length < 2) this.requireRank(inputShape, 2, 'inputs [batch, ..., features]');
    const d = this.knownAxis(inputShape, -1, 'last axis');
    const { center = true, scale = true, gammaInitializer = 'ones', betaInitializer = 'zeros' } = this.config;
    this.gamma = scale ? this.weight([d], gammaInitializer) : null;
    this.beta = center ? this.weight([d], betaInitializer) : null;
    return { axes: [d], anyLeading: true };
  }

  outputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, { gamma: this.gamma ?? undefined, beta: this.beta ?? undefined, epsilon: this.config.epsilon ?? 1e-5 });
  }
}
