// Keras-style preprocessing layers (wg.layers.randomFlip …): in training they are the device
// augmentations of wg.data.augment, in eval the identity; they rebuild from their config.

import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, expectNoGpuErrors, initBoth, seeded, useBackend, wg } from '../helpers';

beforeAll(initBoth);

const images = () => wg.tensor(seeded(2 * 6 * 6 * 1, 9, 0, 1), { shape: [2, 6, 6, 1] });

for (const backend of ['webgpu', 'cpu'] as const) {
  describe(`augmentation layers on ${backend}`, () => {
    const cases = [
      ['randomFlip', () => wg.layers.randomFlip({ seed: 3 }), (x: wg.Tensor) => wg.data.augment.randomFlip(x, { seed: 3 })],
      ['randomShift', () => wg.layers.randomShift({ maxShift: 1, seed: 4 }), (x: wg.Tensor) => wg.data.augment.randomShift(x, { maxShift: 1, seed: 4 })],
      ['randomBrightness', () => wg.layers.randomBrightness({ seed: 5 }), (x: wg.Tensor) => wg.data.augment.randomBrightness(x, { seed: 5 })],
    ] as const;
    for (const [name, layer, fn] of cases) {
      it(`${name} augments in training and passes images through in eval`, async () => {
        await useBackend(backend);
        const l = layer();
        l.train();
        expectClose(await l.apply(images()).data(), await fn(images()).data());
        l.eval();
        expectClose(await l.apply(images()).data(), await images().data());
        expectNoGpuErrors();
      });
    }

    it('checks the input rank and rebuilds from its config', async () => {
      await useBackend(backend);
      const l = wg.layers.randomFlip({ mode: 'vertical' });
      expect(() => l.apply(wg.zeros([2, 6, 6]))).toThrow(wg.ShapeError);
      const again = wg.nn.layerFromConfig(l.className, { ...l.getConfig() } as Parameters<typeof wg.nn.layerFromConfig>[1]);
      expect(again.className).toBe('RandomFlip');
      expect(again.getConfig()).toEqual(l.getConfig());
    });
  });
}
