// `wg.data`: data sets kept on the device, preprocessing, the IDX loader, Fashion-MNIST and
// on-device augmentation.

export { dataset, Dataset } from './dataset';
export type { Batch, Examples, TrainTest } from './dataset';
export { standardize, minMaxScale, oneHot, trainTestSplit } from './preprocess';
export type { SplitOptions } from './preprocess';
export { parseIdx } from './idx';
export { fashionMnist, mnist } from './image-datasets';
export type { LoadOptions } from './image-datasets';
export * as augment from './augment';
