// wg.layers: one factory per Keras layer (camelCase names, option objects) and the classes.

import { RandomBrightness, RandomCrop, RandomFlip, RandomRotate, RandomShift, type RandomBrightnessOptions, type RandomCropOptions, type RandomFlipOptions, type RandomRotateOptions, type RandomShiftOptions } from './augmentation';
import { Conv1D, Conv2D, Conv2DTranspose, type Conv1DOptions, type Conv2DOptions, type Conv2DTransposeOptions } from './conv';
import { Dense, type DenseOptions } from './dense';
import { Embedding, type EmbeddingOptions } from './embedding';
import { GRU } from './gru';
import { LSTM, type LSTMOptions } from './lstm';
import { BatchNormalization, LayerNormalization, type BatchNormalizationOptions, type LayerNormalizationOptions } from './normalization';
import { AveragePooling2D, GlobalAveragePooling2D, MaxPooling2D, type Pooling2DOptions } from './pooling';
import type { RecurrentOptions } from './recurrent';
import { Activation, Dropout, Flatten, type ActivationLayerOptions, type DropoutLayerOptions } from './shaping';
import { SimpleRNN, type SimpleRNNOptions } from './simple-rnn';
import type { Layer, LayerOptions } from '../layer';

export * from './augmentation';
export * from './conv';
export * from './dense';
export * from './embedding';
export * from './gru';
export * from './lstm';
export * from './normalization';
export * from './pooling';
export * from './recurrent';
export * from './shaping';
export * from './simple-rnn';

/** Builds a layer made with `inputShape` at once (Keras), so its parameters exist on return. */
function made<L extends Layer<LayerOptions, unknown, unknown>>(layer: L): L {
  const shape = layer.getConfig().inputShape;
  if (shape) layer.build([null, ...shape]);
  return layer;
}

/**
 * A fully connected layer: y = activation(x·kernel + bias).
 *
 * ```ts
 * const fc = wg.layers.dense({ units: 64, activation: 'relu', inputShape: [784] });
 * ```
 */
export const dense = (opts: DenseOptions) => made(new Dense(opts));
/** `wg.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' })`. */
export const conv2d = (opts: Conv2DOptions) => made(new Conv2D(opts));
/** `wg.layers.conv1d({ filters: 16, kernelSize: 5 })` over [batch, length, channels]. */
export const conv1d = (opts: Conv1DOptions) => made(new Conv1D(opts));
/** `wg.layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' })`. */
export const conv2dTranspose = (opts: Conv2DTransposeOptions) => made(new Conv2DTranspose(opts));
/** `wg.layers.maxPooling2d({ poolSize: 2 })`. */
export const maxPooling2d = (opts: Pooling2DOptions = {}) => made(new MaxPooling2D(opts));
/** `wg.layers.averagePooling2d({ poolSize: 2 })` (padding pixels not counted). */
export const averagePooling2d = (opts: Pooling2DOptions = {}) => made(new AveragePooling2D(opts));
/** `wg.layers.globalAveragePooling2d()`: [N, H, W, C] → [N, C]. */
export const globalAveragePooling2d = (opts: LayerOptions = {}) => made(new GlobalAveragePooling2D(opts));
/** `wg.layers.flatten()`: [N, ...] → [N, product]. */
export const flatten = (opts: LayerOptions = {}) => made(new Flatten(opts));
/** `wg.layers.dropout({ rate: 0.5 })`: active in train(), the identity in eval(). */
export const dropout = (opts: DropoutLayerOptions) => made(new Dropout(opts));
/** `wg.layers.activation({ activation: 'relu' })`. */
export const activation = (opts: ActivationLayerOptions) => made(new Activation(opts));
/** `wg.layers.batchNormalization({ momentum: 0.99, epsilon: 1e-3 })` over the last axis. */
export const batchNormalization = (opts: BatchNormalizationOptions = {}) => made(new BatchNormalization(opts));
/** `wg.layers.layerNormalization({ epsilon: 1e-5 })` over the last axis. */
export const layerNormalization = (opts: LayerNormalizationOptions = {}) => made(new LayerNormalization(opts));
/** `wg.layers.embedding({ inputDim: 1000, outputDim: 64 })` on int32 indices. */
export const embedding = (opts: EmbeddingOptions) => made(new Embedding(opts));
/**
 * `wg.layers.simpleRNN({ units: 32, returnSequences: true })` on [batch, time, features].
 *
 * ```ts
 * const rnn = wg.layers.simpleRNN({ units: 8 });
 * const h = rnn.apply(wg.randn([4, 10, 3])); // [4, 8]
 * ```
 */
export const simpleRNN = (opts: SimpleRNNOptions) => made(new SimpleRNN(opts));
/**
 * `wg.layers.lstm({ units: 64 })`: the whole sequence runs as one matmul and one kernel.
 *
 * ```ts
 * const [out, h, c] = wg.layers.lstm({ units: 16, returnState: true }).apply(x) as wg.Tensor[];
 * ```
 */
export const lstm = (opts: LSTMOptions) => made(new LSTM(opts));
/** `wg.layers.gru({ units: 64 })` (reset_after, as Keras and PyTorch). */
export const gru = (opts: RecurrentOptions) => made(new GRU(opts));
/** `wg.layers.randomFlip({ mode: 'horizontal' })`: flips images in training, as Keras's RandomFlip. */
export const randomFlip = (opts: RandomFlipOptions = {}) => made(new RandomFlip(opts));
/** `wg.layers.randomShift({ maxShift: 2 })`: shifts images by whole pixels in training. */
export const randomShift = (opts: RandomShiftOptions = {}) => made(new RandomShift(opts));
/** `wg.layers.randomCrop(...)`: pads and crops images back to their size in training. */
export const randomCrop = (opts: RandomCropOptions = {}) => made(new RandomCrop(opts));
/** `wg.layers.randomRotate(...)`: rotates images by a random angle in training. */
export const randomRotate = (opts: RandomRotateOptions = {}) => made(new RandomRotate(opts));
/** `wg.layers.randomBrightness(...)`: scales brightness, clamped, in training. */
export const randomBrightness = (opts: RandomBrightnessOptions = {}) => made(new RandomBrightness(opts));
