// The Fashion-MNIST page (demo/fashion.html): starts the training worker (fashion-worker.ts),
// draws its epoch losses and accuracies live, a progress bar per batch, then the test accuracy, the
// confusion matrix and a grid of test images with predicted labels. `?test=1` trains the MLP on a
// small subset, reloads it from IndexedDB, and reports the accuracies and the longest main-thread
// task seen while it trained.

import * as wg from 'webgrad';
import { lineChart } from './shared/charts';
import { $, param, runPage, startPage, type PageCheck } from './shared/page';
import { savedAs, type TrainRequest, type WorkerMessage } from './fashion-worker';

const classNames = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

function drawConfusion(confusion: number[][]): void {
  const table = $('#confusion');
  const max = Math.max(...confusion.flat());
  const head = document.createElement('tr');
  head.append(document.createElement('th'), ...classNames.map((_, j) => Object.assign(document.createElement('th'), { textContent: String(j), title: classNames[j] })));
  const rows = confusion.map((row, i) => {
    const tr = document.createElement('tr');
    tr.append(Object.assign(document.createElement('th'), { textContent: classNames[i]! }));
    for (const v of row) {
      const td = Object.assign(document.createElement('td'), { textContent: String(v) });
      td.style.background = `color-mix(in srgb, var(--accent) ${Math.round((v / (max || 1)) * 70)}%, transparent)`;
      tr.append(td);
    }
    return tr;
  });
  table.replaceChildren(head, ...rows);
}

function drawGrid(images: Float32Array, labels: Int32Array, predicted: Int32Array): void {
  const figures = Array.from(labels, (label, i) => {
    const fig = document.createElement('figure');
    const canvas = Object.assign(document.createElement('canvas'), { width: 28, height: 28 });
    const img = new ImageData(28, 28);
    for (let p = 0; p < 784; p++) {
      const v = 255 - Math.round(images[i * 784 + p]! * 255);
      img.data.set([v, v, v, 255], p * 4);
    }
    canvas.getContext('2d')!.putImageData(img, 0, 0);
    const wrong = predicted[i] !== label;
    if (wrong) fig.className = 'wrong';
    fig.append(canvas, Object.assign(document.createElement('figcaption'), { textContent: wrong ? `${classNames[predicted[i]!]} (is ${classNames[label]})` : classNames[label]! }));
    return fig;
  });
  $('#grid').replaceChildren(...figures);
}

/** Trains in the worker; resolves to the test accuracy. `onTrained` runs as the results arrive, before they are drawn. */
function train(req: TrainRequest, charts: { loss: ReturnType<typeof lineChart>; acc: ReturnType<typeof lineChart> }, onTrained?: () => void): Promise<number> {
  const worker = new Worker(new URL('./fashion-worker.ts', import.meta.url), { type: 'module' });
  const acc = { x: [] as number[], loss: [] as number[], valLoss: [] as number[], train: [] as number[], val: [] as number[] };
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if (m.kind === 'status') $('#status').textContent = m.text;
      else if (m.kind === 'batch') $<HTMLProgressElement>('#progress').value = m.progress;
      else if (m.kind === 'epoch') {
        acc.x.push(m.epoch);
        acc.loss.push(m.loss);
        acc.valLoss.push(m.valLoss);
        acc.train.push(m.accuracy);
        acc.val.push(m.valAccuracy);
        charts.loss.set(acc.x, [acc.loss, acc.valLoss]);
        charts.acc.set(acc.x, [acc.train, acc.val]);
      } else if (m.kind === 'done') {
        onTrained?.();
        $<HTMLProgressElement>('#progress').value = 1;
        $('#status').textContent = `test accuracy ${(m.testAccuracy * 100).toFixed(1)}% (model saved as ${m.savedAs})`;
        $<HTMLButtonElement>('#reload').disabled = false;
        $<HTMLButtonElement>('#download').disabled = false;
        drawConfusion(m.confusion);
        drawGrid(m.images, m.labels, m.predicted);
        worker.terminate();
        resolve(m.testAccuracy);
      } else {
        worker.terminate();
        reject(new Error(m.text));
      }
    };
    worker.postMessage(req);
  });
}

runPage(async () => {
  const info = await startPage();
  const charts = {
    loss: lineChart($('#loss-chart'), { title: 'loss per epoch', xLabel: 'epoch', yLabel: 'cross-entropy', series: ['train', 'validation'] }),
    acc: lineChart($('#acc-chart'), { title: 'accuracy per epoch', xLabel: 'epoch', yLabel: 'accuracy', series: ['train', 'validation'] }),
  };
  const request = (action: TrainRequest['action'] = 'train'): TrainRequest => ({
    action,
    backend: info.backend,
    model: $<HTMLSelectElement>('#model').value as 'mlp' | 'cnn',
    trainSize: Number($<HTMLInputElement>('#train-size').value),
    testSize: 1000,
    epochs: Number($<HTMLInputElement>('#epochs').value),
    batchSize: Number($<HTMLInputElement>('#batch').value),
  });
  if (param('test') === '1') {
    let longestMs = 0;
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longestMs = Math.max(longestMs, e.duration);
    });
    observer.observe({ type: 'longtask' });
    const small = { ...request(), model: 'mlp' as const, trainSize: 2000, testSize: 500, epochs: 2, batchSize: 64 };
    const accuracy = await train(small, charts, () => observer.disconnect());
    const drawn = $('#confusion').querySelectorAll('td').length;
    const reloaded = await train({ ...small, action: 'reload' }, charts);
    return [
      { name: 'the MLP reaches 70% test accuracy on a 2000-image subset', pass: accuracy >= 0.7, message: `test accuracy ${accuracy}` },
      { name: 'the confusion matrix is drawn', pass: drawn === 100, message: `${drawn} cells` },
      { name: 'no main-thread task over 200 ms while training', pass: longestMs <= 200, message: `longest task ${longestMs.toFixed(0)} ms` },
      { name: 'the model reloaded from IndexedDB predicts the same', pass: reloaded === accuracy, message: `test accuracy ${reloaded} reloaded, ${accuracy} trained` },
    ] satisfies PageCheck[];
  }
  const start = (action: TrainRequest['action']) => {
    $<HTMLButtonElement>('#train').disabled = true;
    train(request(action), charts)
      .catch((err: unknown) => Object.assign($('#status'), { className: 'bad', textContent: err instanceof Error ? err.message : String(err) }))
      .finally(() => ($<HTMLButtonElement>('#train').disabled = false));
  };
  $('#reload').addEventListener('click', () => start('reload'));
  $('#download').addEventListener('click', async () => {
    const kind = $<HTMLSelectElement>('#model').value as 'mlp' | 'cnn';
    await (await wg.loadModel(savedAs(kind))).save(`downloads://webgrad-fashion-${kind}`);
  });
  $('#form').addEventListener('submit', (e) => {
    e.preventDefault();
    start('train');
  });
  return [{ name: 'fashion', pass: true, message: `ready on ${wg.getBackend()}` }];
});
