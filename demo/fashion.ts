// The Fashion-MNIST page (demo/fashion.html): starts the training worker (fashion-worker.ts),
// draws the batch loss, the epoch losses and train/validation accuracies live, a progress bar, then
// the test accuracy, the confusion matrix and test images with predicted labels. `?test=1` trains
// the MLP on a small subset, reloads it from IndexedDB, and reports what it drew and measured.

import * as wg from 'webgrad';
import { lineChart, type ChartFacts, type LineChart } from './shared/charts';
import { $, param, runPage, startPage, type PageCheck } from './shared/page';
import { savedAs, type TrainRequest, type WorkerMessage } from './fashion-worker';

const classNames = wg.data.fashionMnist.classNames;

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

interface Charts {
  batch: LineChart;
  loss: LineChart;
  acc: LineChart;
}

/** Trains in the worker; resolves to the test accuracy. `onTrained` runs as the results arrive, before they are drawn. */
function train(req: TrainRequest, charts: Charts, onTrained?: () => void): Promise<number> {
  const worker = new Worker(new URL('./fashion-worker.ts', import.meta.url), { type: 'module' });
  const batch = { step: [] as number[], loss: [] as number[] };
  const epochs = { x: [] as number[], loss: [] as number[], valLoss: [] as number[], train: [] as number[], val: [] as number[] };
  const percent = (v: number) => v * 100;
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if (m.kind === 'status') $('#status').textContent = m.text;
      else if (m.kind === 'batch') {
        $<HTMLProgressElement>('#progress').value = m.progress;
        $('#progress-text').textContent = `${Math.round(m.progress * 100)}% (batch ${m.step})`;
        batch.step.push(m.step);
        batch.loss.push(m.loss);
        charts.batch.set(batch.step, [batch.loss]);
      } else if (m.kind === 'epoch') {
        epochs.x.push(m.epoch);
        epochs.loss.push(m.loss);
        epochs.valLoss.push(m.valLoss);
        epochs.train.push(percent(m.accuracy));
        epochs.val.push(percent(m.valAccuracy));
        charts.loss.set(epochs.x, [epochs.loss, epochs.valLoss]);
        charts.acc.set(epochs.x, [epochs.train, epochs.val]);
      } else if (m.kind === 'done') {
        onTrained?.();
        $<HTMLProgressElement>('#progress').value = 1;
        $('#progress-text').textContent = '100%';
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
  const charts: Charts = {
    batch: lineChart($('#batch-chart'), { title: 'batch loss (live)', xLabel: 'training step (batches)', yLabel: 'cross-entropy (nats)', series: ["train: the epoch's running mean"], integerX: true }),
    loss: lineChart($('#loss-chart'), { title: 'loss per epoch', xLabel: 'epoch', yLabel: 'cross-entropy (nats)', series: ['train', 'validation'], integerX: true }),
    acc: lineChart($('#acc-chart'), { title: 'accuracy per epoch', xLabel: 'epoch', yLabel: 'accuracy (%)', series: ['train', 'validation'], integerX: true, firstColour: 2 }),
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
    // The form shows the run the checks make, so the page (and its screenshot) tells what was trained.
    $<HTMLSelectElement>('#model').value = 'mlp';
    $<HTMLInputElement>('#train-size').value = '2000';
    $<HTMLInputElement>('#epochs').value = '2';
    $<HTMLInputElement>('#batch').value = '64';
    const small = { ...request(), testSize: 500 };
    const batchesRun = small.epochs * Math.ceil((small.trainSize * 0.9) / small.batchSize); // fit holds out 10% for validation
    const accuracy = await train(small, charts, () => observer.disconnect());
    const drawn = $('#confusion').querySelectorAll('td').length;
    const progress = $<HTMLProgressElement>('#progress').value;
    const [batchFacts, lossFacts, accFacts] = (window as unknown as { __charts: ChartFacts[] }).__charts;
    const epochTicks = [...lossFacts!.xTicks, ...accFacts!.xTicks];
    const reloaded = await train({ ...small, action: 'reload' }, charts);
    return [
      { name: 'the MLP reaches 70% test accuracy on a 2000-image subset', pass: accuracy >= 0.7, message: `test accuracy ${accuracy}` },
      { name: 'the confusion matrix is drawn', pass: drawn === 100, message: `${drawn} cells` },
      { name: 'the batch loss is plotted live, one point per batch', pass: batchFacts!.points[0] === batchesRun, message: `${batchFacts!.points[0]} batch-loss points for ${batchesRun} batches` },
      { name: 'train and validation accuracy are plotted per epoch', pass: accFacts!.points.every((p) => p === small.epochs), message: `points per series: ${accFacts!.points.join(', ')}` },
      { name: 'the epoch axes tick whole epochs', pass: epochTicks.length > 0 && epochTicks.every(Number.isInteger), message: `ticks ${epochTicks.join(', ')}` },
      { name: 'no main-thread task over 200 ms while training', pass: longestMs <= 200, message: `longest task ${longestMs.toFixed(0)} ms` },
      { name: 'the model reloaded from IndexedDB predicts the same', pass: reloaded === accuracy, message: `test accuracy ${reloaded} reloaded, ${accuracy} trained` },
      { name: 'the progress bar ends full', pass: progress === 1, message: `progress ${progress}` },
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
