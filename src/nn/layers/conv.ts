// Convolution layers (NHWC, Keras layouts): Conv2D, Conv1D and Conv2DTranspose over wg.conv2d,
// wg.conv1d and wg.conv2dTranspose; the bias and activation run in the conv kernel's epilogue.

import { ShapeError } from '../../errors';
import { conv1d, conv2d, conv2dTranspose, type ConvPadding } from '../../ops/conv';
import type { Tensor } from '../../tensor';
import { getActivation, type ActivationName } from '../activations';
import type { InitializerSpec } from '../initializers';
import { checkInteger, Layer, type InputSpec, type LayerOptions, type LayerShape } from '../layer';
import type { Regularizer } from '../regularizers';

type Pair = number | readonly [number, number];

interface ConvBaseOptions extends LayerOptions {
  filters: number;
  activation?: ActivationName;
  useBias?: boolean;
  kernelInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
  kernelRegularizer?: Regularizer;
}

export interface Conv2DOptions extends ConvBaseOptions {
  kernelSize: Pair;
  strides?: Pair;
  padding?: ConvPadding;
  dilationRate?: Pair;
  groups?: number;
}

export interface Conv1DOptions extends ConvBaseOptions {
  kernelSize: number;
  strides?: number;
  padding?: 'valid' | 'same' | number;
  dilationRate?: number;
  groups?: number;
}

export interface Conv2DTransposeOptions extends ConvBaseOptions {
  kernelSize: Pair;
  strides?: Pair;
  padding?: ConvPadding;
  outputPadding?: Pair;
  dilationRate?: Pair;
}

const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** What the three share: kernel and bias, activation, regularizer, shape by tracing the op. */
abstract class ConvLayer<O extends ConvBaseOptions> extends Layer<O> {
  kernel: Tensor | null = null;
  bias: Tensor | null = null;

  constructor(baseName: string, opts: O) {
    super(baseName, opts);
    checkInteger(baseName, 'filters', opts.filters);
    getActivation(opts.activation, baseName);
  }

  /** Creates kernel `shape` and the bias; the input must have `rank` axes and `channels`. */
  protected createKernel(inputShape: LayerShape, rank: number, kernelShape: (channels: number) => number[]): InputSpec {
    this.requireRank(inputShape, rank, rank === 4 ? 'images [batch, height, width, channels]' : 'sequences [batch, length, channels]');
    const channels = this.knownAxis(inputShape, -1, 'channel axis');
    const { filters, useBias = true, kernelInitializer = 'glorotUniform', biasInitializer = 'zeros' } = this.config;
    const shape = kernelShape(channels);
    if (!shape.every(Number.isInteger)) throw new ShapeError(`${this.where()}: groups must divide the ${channels} input channels`);
    this.kernel = this.weight(shape, kernelInitializer);
    this.bias = useBias ? this.weight([filters], biasInitializer) : null;
    return { axes: [...new Array<null>(rank - 1).fill(null), channels] };
  }

  outputShape(inputShape: LayerShape): LayerShape {
    this.build(inputShape);
    return this.traceShape(inputShape, (x) => this.forward(x));
  }

  protected activate(y: Tensor): Tensor {
    return getActivation(this.config.activation, this.name)(y);
  }

  protected override ownPenalties(): Tensor[] {
    return this.penaltyOf(this.kernel, this.config.kernelRegularizer);
  }
}

/** Keras `Conv2D`: kernel [KH, KW, Cin/groups, filters]. */
export class Conv2D extends ConvLayer<Conv2DOptions> {
  readonly className = 'Conv2D';
  constructor(opts: Conv2DOptions) {
    super('conv2d', opts);
  }
  protected createParameters(inputShape: LayerShape): InputSpec {
    const [kh, kw] = pair(this.config.kernelSize);
    return this.createKernel(inputShape, 4, (c) => [kh, kw, c / (this.config.groups ?? 1), this.config.filters]);
  }
  forward(x: Tensor): Tensor {
    const { strides, padding, dilationRate, groups } = this.config;
    return this.activate(conv2d(x, this.kernel!, { stride: strides, padding, dilation: dilationRate, groups, bias: this.bias ?? undefined }));
  }
}

/** Keras `Conv1D`: kernel [K, Cin/groups, filters] over [batch, length, channels]. */
export class Conv1D extends ConvLayer<Conv1DOptions> {
  readonly className = 'Conv1D';
  constructor(opts: Conv1DOptions) {
    super('conv1d', opts);
  }
  protected createParameters(inputShape: LayerShape): InputSpec {
    return this.createKernel(inputShape, 3, (c) => [this.config.kernelSize, c / (this.config.groups ?? 1), this.config.filters]);
  }
  forward(x: Tensor): Tensor {
    const { strides, padding, dilationRate, groups } = this.config;
    return this.activate(conv1d(x, this.kernel!, { stride: strides, padding, dilation: dilationRate, groups, bias: this.bias ?? undefined }));
  }
}

/** Keras `Conv2DTranspose`: kernel [KH, KW, filters, Cin]. */
export class Conv2DTranspose extends ConvLayer<Conv2DTransposeOptions> {
  readonly className = 'Conv2DTranspose';
  constructor(opts: Conv2DTransposeOptions) {
    super('conv2d_transpose', opts);
  }
  protected createParameters(inputShape: LayerShape): InputSpec {
    const [kh, kw] = pair(this.config.kernelSize);
    return this.createKernel(inputShape, 4, (c) => [kh, kw, this.config.filters, c]);
  }
  forward(x: Tensor): Tensor {
    const { strides, padding, outputPadding, dilationRate } = this.config;
    return this.activate(conv2dTranspose(x, this.kernel!, { stride: strides, padding, outputPadding, dilation: dilationRate, bias: this.bias ?? undefined }));
  }
}
