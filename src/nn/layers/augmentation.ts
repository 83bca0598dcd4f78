// Keras's image preprocessing layers over wg.data.augment: RandomFlip, RandomShift (Keras's
// RandomTranslation in pixels), RandomCrop, RandomRotation and RandomBrightness. Active only in
// training (a model in eval() passes images through), run on the device, no parameters. The one
// place nn/ reads data/: these layers are the augment functions in Layer form.

import * as augment from '../../data/augment';
import { ShapeError } from '../../errors';
import type { Tensor } from '../../tensor';
import { formatShape, Layer, type InputSpec, type LayerOptions, type LayerShape } from '../layer';

/** A layer that applies `fn` to [N, H, W, C] images in training and nothing in eval. */
abstract class Augmentation<O extends LayerOptions & augment.AugmentOptions> extends Layer<O> {
  protected abstract apply1(x: Tensor): Tensor;
  protected createParameters(inputShape: LayerShape): InputSpec {
    if (inputShape.length !== 4) throw new ShapeError(`${this.where()}: expected NHWC images [N, H, W, C], got ${formatShape(inputShape)}`);
    return { axes: [null, ...inputShape.slice(1)] };
  }
  outputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }
  forward(x: Tensor): Tensor {
    return this.training ? this.apply1(x) : x;
  }
  /** The augmentation's own options (the config without the layer's name and input shape). */
  protected get options(): Omit<O, keyof LayerOptions> {
    const { name: _name, inputShape: _inputShape, ...rest } = this.config;
    return rest;
  }
}

export type RandomFlipOptions = LayerOptions & augment.FlipOptions;
export class RandomFlip extends Augmentation<RandomFlipOptions> {
  readonly className = 'RandomFlip';
  constructor(opts: RandomFlipOptions = {}) {
    super('random_flip', opts);
  }
  protected apply1(x: Tensor): Tensor {
    return augment.randomFlip(x, this.options);
  }
}

export type RandomShiftOptions = LayerOptions & augment.ShiftOptions;
export class RandomShift extends Augmentation<RandomShiftOptions> {
  readonly className = 'RandomShift';
  constructor(opts: RandomShiftOptions = {}) {
    super('random_shift', opts);
  }
  protected apply1(x: Tensor): Tensor {
    return augment.randomShift(x, this.options);
  }
}

export type RandomCropOptions = LayerOptions & augment.CropOptions;
export class RandomCrop extends Augmentation<RandomCropOptions> {
  readonly className = 'RandomCrop';
  constructor(opts: RandomCropOptions = {}) {
    super('random_crop', opts);
  }
  protected apply1(x: Tensor): Tensor {
    return augment.randomCrop(x, this.options);
  }
}

export type RandomRotateOptions = LayerOptions & augment.RotateOptions;
export class RandomRotate extends Augmentation<RandomRotateOptions> {
  readonly className = 'RandomRotate';
  constructor(opts: RandomRotateOptions = {}) {
    super('random_rotate', opts);
  }
  protected apply1(x: Tensor): Tensor {
    return augment.randomRotate(x, this.options);
  }
}

export type RandomBrightnessOptions = LayerOptions & augment.BrightnessOptions;
export class RandomBrightness extends Augmentation<RandomBrightnessOptions> {
  readonly className = 'RandomBrightness';
  constructor(opts: RandomBrightnessOptions = {}) {
    super('random_brightness', opts);
  }
  protected apply1(x: Tensor): Tensor {
    return augment.randomBrightness(x, this.options);
  }
}
