// Dense (Keras `Dense`, PyTorch `Linear` with the kernel stored [in, out]): y = act(x·kernel + bias)
// over the last axis; the bias and activation run in the matmul's epilogue.

import type { Tensor } from '../../tensor';
import { getActivation, type ActivationName } from '../activations';
import type { InitializerSpec } from '../initializers';
import { checkInteger, Layer, type InputSpec, type LayerOptions, type LayerShape } from '../layer';
import type { Regularizer } from '../regularizers';

export interface DenseOptions extends LayerOptions {
  units: number;
  activation?: ActivationName;
  useBias?: boolean;
  kernelInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
  kernelRegularizer?: Regularizer;
}

export class Dense extends Layer<DenseOptions> {
  readonly className = 'Dense';
  kernel: Tensor | null = null;
  bias: Tensor | null = null;

  constructor(opts: DenseOptions) {
    super('dense', opts);
    checkInteger('dense', 'units', opts.units);
    getActivation(opts.activation, 'dense');
  }

  protected createParameters(inputShape: LayerShape): InputSpec {
    if (inputShape.length < 2) this.requireRank(inputShape, 2, 'inputs [batch, ..., features]');
    const inputs = this.knownAxis(inputShape, -1, 'last axis');
    const { units, useBias = true, kernelInitializer = 'glorotUniform', biasInitializer = 'zeros' } = this.config;
    this.kernel = this.weight([inputs, units], kernelInitializer);
    this.bias = useBias ? this.weight([units], biasInitializer) : null;
    return { axes: [inputs], anyLeading: true };
  }

  outputShape(inputShape: LayerShape): LayerShape {
    return [...inputShape.slice(0, -1), this.config.units];
  }

  forward(x: Tensor): Tensor {
    const y = x.matmul(this.kernel!);
    return getActivation(this.config.activation, this.name)(this.bias ? y.add(this.bias) : y);
  }

  protected override ownPenalties(): Tensor[] {
    return this.penaltyOf(this.kernel, this.config.kernelRegularizer);
  }
}
