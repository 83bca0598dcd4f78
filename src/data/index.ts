// `wg.data`: data sets kept on the device, preprocessing, the IDX loader, Fashion-MNIST and
// on-device augmentation.

export { parseIdx } from './idx';
export { fashionMnist, mnist } from './image-datasets';
export type { ImageDataset, ImageSplit, LoadOptions } from './image-datasets';
