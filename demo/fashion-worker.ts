// The Fashion-MNIST page's Web Worker: loads the data set (served by the dev server), trains an
// MLP or the LeNet-like CNN with `fit` off the main thread, and posts progress (each batch: the
// share done and the epoch's running loss; each epoch: losses and accuracies), then the test accuracy, the
// confusion matrix and test predictions; saves the model to IndexedDB and can reload it to predict.

import * as wg from 'webgrad';

/** What the page asks for. */
export interface TrainRequest {
  /** 'train': train, evaluate and save to IndexedDB; 'reload': load the saved model and evaluate. */
  action: 'train' | 'reload';
  backend: wg.BackendName;
  model: 'mlp' | 'cnn';
  trainSize: number;
  testSize: number;
  epochs: number;
  batchSize: number;
}

/** What the worker posts back. */
export type WorkerMessage =
  | { kind: 'status'; text: string }
  /** `loss`: the epoch's running mean loss up to this batch (Keras's batch logs). */
  | { kind: 'batch'; step: number; progress: number; loss: number }
  | { kind: 'epoch'; epoch: number; loss: number; valLoss: number; accuracy: number; valAccuracy: number }
  | { kind: 'done'; savedAs: string; testAccuracy: number; confusion: number[][]; images: Float32Array; labels: Int32Array; predicted: Int32Array }
  | { kind: 'error'; text: string };

const post = (m: WorkerMessage, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

function model(kind: 'mlp' | 'cnn'): wg.Sequential {
  const L = wg.layers;
  return kind === 'mlp'
    ? wg.sequential([L.flatten({ inputShape: [28, 28, 1] }), L.dense({ units: 128, activation: 'relu' }), L.dense({ units: 10 })])
    : wg.sequential([
        L.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [28, 28, 1] }),
        L.maxPooling2d(),
        L.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }),
        L.maxPooling2d(),
        L.flatten(),
        L.dense({ units: 128, activation: 'relu' }),
        L.dense({ units: 10 }),
      ]);
}

const head = (t: wg.Tensor, n: number): wg.Tensor => t.slice([0, ...t.shape.slice(1).map(() => 0)], [n, ...t.shape.slice(1).map(() => -1)]);

/** Where a model kind is saved in IndexedDB. */
export const savedAs = (kind: 'mlp' | 'cnn'): string => `indexeddb://webgrad-fashion-${kind}`;

async function evaluate(net: wg.Sequential, xt: wg.Tensor, yt: wg.Tensor, where: string): Promise<void> {
  post({ kind: 'status', text: 'evaluating on the test images…' });
  const predicted = (await net.predict(xt).argmax(-1).data()) as Int32Array;
  const labels = (await yt.data()) as Int32Array;
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  let right = 0;
  labels.forEach((l, i) => {
    confusion[l]![predicted[i]!]!++;
    if (l === predicted[i]) right++;
  });
  const shown = Math.min(32, labels.length);
  const images = (await head(xt, shown).data()) as Float32Array;
  post({ kind: 'done', savedAs: where, testAccuracy: right / labels.length, confusion, images, labels: labels.slice(0, shown), predicted: predicted.slice(0, shown) }, [images.buffer]);
}

async function run(req: TrainRequest): Promise<void> {
  await wg.init({ backend: req.backend });
  post({ kind: 'status', text: 'loading Fashion-MNIST…' });
  const data = await wg.data.fashionMnist();
  const [xt, yt] = [head(data.test.x, req.testSize), head(data.test.y, req.testSize)];
  const where = savedAs(req.model);
  if (req.action === 'reload') {
    post({ kind: 'status', text: `loading ${where}…` });
    await evaluate(await wg.loadModel(where), xt, yt, where);
    return;
  }
  const [x, y] = [head(data.train.x, req.trainSize), head(data.train.y, req.trainSize)];
  wg.realize(x, y, xt, yt);
  const net = model(req.model);
  net.compile({ optimizer: 'adam', loss: { name: 'sparseCategoricalCrossentropy', fromLogits: true }, metrics: ['accuracy'] });
  let batches = 1;
  let step = 0;
  post({ kind: 'status', text: `training ${req.model.toUpperCase()} on ${req.trainSize} images…` });
  await net.fit(x, y, {
    epochs: req.epochs,
    batchSize: req.batchSize,
    validationSplit: 0.1,
    verbose: 0,
    callbacks: [
      {
        setParams: (params) => (batches = params.steps),
        onBatchEnd: (_batch, logs) => post({ kind: 'batch', step: ++step, progress: step / (batches * req.epochs), loss: logs.loss }),
        onEpochEnd: (epoch, logs) => post({ kind: 'epoch', epoch: epoch + 1, loss: logs.loss ?? NaN, valLoss: logs.val_loss ?? NaN, accuracy: logs.accuracy ?? NaN, valAccuracy: logs.val_accuracy ?? NaN }),
      },
    ],
  });
  await net.save(where);
  await evaluate(net, xt, yt, where);
}

self.onmessage = (e: MessageEvent<TrainRequest>) => {
  run(e.data).catch((err: unknown) => post({ kind: 'error', text: err instanceof Error ? err.message : String(err) }));
};
