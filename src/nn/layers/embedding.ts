// Keras `Embedding`: int32 indices [batch, ...] → rows of `embeddings` [inputDim, outputDim].

import type { Tensor } from '../../tensor';
import { embedding } from '../functional/embedding';
import { randomUniform, type InitializerSpec } from '../initializers';
import { checkInteger, Layer, type InputSpec, type LayerOptions, type LayerShape } from '../layer';
import type { Regularizer } from '../regularizers';

export interface EmbeddingOptions extends LayerOptions {
  inputDim: number;
  outputDim: number;
  /** Default: uniform in [−0.05, 0.05] (Keras). */
  embeddingsInitializer?: InitializerSpec;
  embeddingsRegularizer?: Regularizer;
}

export class Embedding extends Layer<EmbeddingOptions> {
  readonly className = 'Embedding';
  embeddings: Tensor | null = null;

  constructor(opts: EmbeddingOptions) {
    super('embedding', opts);
    checkInteger('embedding', 'inputDim', opts.inputDim);
    checkInteger('embedding', 'outputDim', opts.outputDim);
  }

  protected createParameters(): InputSpec {
    const { inputDim, outputDim, embeddingsInitializer = randomUniform() } = this.config;
    this.embeddings = this.weight([inputDim, outputDim], embeddingsInitializer);
    return { axes: [], anyLeading: true };
  }

  outputShape(inputShape: LayerShape): LayerShape {
    return [...inputShape, this.config.outputDim];
  }

  /** Float indices are truncated to int32, as Keras casts them. */
  forward(x: Tensor): Tensor {
    return embedding(x.dtype === 'int32' ? x : x.cast('int32'), this.embeddings!);
  }

  protected override ownPenalties(): Tensor[] {
    return this.penaltyOf(this.embeddings, this.config.embeddingsRegularizer);
  }
}
