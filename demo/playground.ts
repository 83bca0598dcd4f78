// The playground page (demo/playground.html): trains a small MLP on a 2-D data set and draws its
// decision boundary live, with train and test loss curves. `?test=xor` runs the lectures' XOR
// story for the browser test — a linear model, then one hidden ReLU layer — and reports both
// test accuracies.

import * as wg from 'webgrad';
import { lineChart } from './shared/charts';
import { makeOptimizer, Mlp, type ActivationChoice, type OptimizerChoice, type Stepper } from './shared/mlp';
import { dataset2d, seededRandom, type DatasetName, type Points2d } from './shared/datasets2d';
import { drawHeatmap, heatmapGrid } from './shared/heatmap';
import { $, param, runPage, startPage, type PageCheck } from './shared/page';

const POINTS = 400;
const CELLS = 40;
const RANGE = 1.3;
const EVAL_EVERY = 10;

interface Settings {
  dataset: DatasetName;
  noise: number;
  trainShare: number;
  hidden: number[];
  activation: ActivationChoice;
  optimizer: OptimizerChoice;
  lr: number;
  batch: number;
  l2: number;
  dropout: number;
}

const value = (id: string): string => $<HTMLInputElement>(`#${id}`).value;

function readSettings(): Settings {
  return {
    dataset: value('dataset') as DatasetName,
    noise: Number(value('noise')),
    trainShare: Number(value('train-share')),
    hidden: value('hidden').split(',').map((s) => s.trim()).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 0),
    activation: value('activation') as ActivationChoice,
    optimizer: value('optimizer') as OptimizerChoice,
    lr: Number(value('lr')),
    batch: Math.max(1, Math.round(Number(value('batch')))),
    l2: Number(value('l2')),
    dropout: Number(value('dropout')),
  };
}

/** One training run: the data, the model, its optimizer and the curves so far. */
class Run {
  readonly train: Points2d;
  readonly test: Points2d;
  readonly model: Mlp;
  readonly opt: Stepper;
  readonly curve = { step: [] as number[], train: [] as number[], test: [] as number[] };
  steps = 0;
  private readonly rand = seededRandom(7);
  private readonly grid = wg.keep(wg.tensor(heatmapGrid(CELLS, RANGE), { shape: [CELLS * CELLS, 2] }));

  constructor(readonly s: Settings) {
    ({ train: this.train, test: this.test } = dataset2d(s.dataset, POINTS, s.noise, s.trainShare, 1));
    wg.seed(3);
    this.model = new Mlp({ inputs: 2, hidden: s.hidden, outputs: 2, activation: s.activation, l2: s.l2, dropout: s.dropout });
    this.opt = makeOptimizer(s.optimizer, this.model.parameters(), s.lr);
  }

  /** One optimizer step on a random batch of the training points. */
  async step(): Promise<void> {
    const n = this.train.labels.length;
    const b = Math.min(this.s.batch, n);
    const xy = new Float32Array(b * 2);
    const labels = new Int32Array(b);
    for (let i = 0; i < b; i++) {
      const j = Math.floor(this.rand() * n);
      xy.set(this.train.xy.subarray(2 * j, 2 * j + 2), 2 * i);
      labels[i] = this.train.labels[j]!;
    }
    this.opt.zeroGrad();
    const loss = wg.tidy(() => {
      const l = wg.losses.crossEntropy(this.model.logits(wg.tensor(xy, { shape: [b, 2] }), true), wg.tensor(labels, { shape: [b], dtype: 'int32' })).add(this.model.penalty());
      l.backward();
      this.opt.step();
      return l;
    });
    await loss.item();
    loss.dispose();
    this.steps++;
  }

  /** Mean cross-entropy and accuracy of the model on `pts`. */
  async evaluate(pts: Points2d): Promise<{ loss: number; accuracy: number }> {
    const n = pts.labels.length;
    const [loss, acc] = wg.noGrad(() =>
      wg.tidy(() => {
        const logits = this.model.logits(wg.tensor(pts.xy, { shape: [n, 2] }), false);
        const labels = wg.tensor(pts.labels, { shape: [n], dtype: 'int32' });
        return [wg.losses.crossEntropy(logits, labels), logits.argmax(-1).equal(labels).cast('float32').mean()];
      }),
    );
    const out = { loss: await loss!.item(), accuracy: await acc!.item() };
    loss!.dispose();
    acc!.dispose();
    return out;
  }

  /** Class-1 probabilities over the heat map's grid. */
  async boundary(): Promise<Float32Array> {
    const p = wg.noGrad(() => wg.tidy(() => this.model.logits(this.grid, false).softmax(-1).slice([0, 1], [-1, 1]).reshape([-1])));
    const values = (await p.data()) as Float32Array;
    p.dispose();
    return values;
  }
}

async function refresh(run: Run, chart: ReturnType<typeof lineChart>): Promise<{ train: number; test: number }> {
  const train = await run.evaluate(run.train);
  const test = await run.evaluate(run.test);
  run.curve.step.push(run.steps);
  run.curve.train.push(train.loss);
  run.curve.test.push(test.loss);
  chart.set(run.curve.step, [run.curve.train, run.curve.test]);
  drawHeatmap($<HTMLCanvasElement>('#boundary'), await run.boundary(), CELLS, RANGE, run.train, run.test);
  $('#status').textContent = `step ${run.steps}: train loss ${train.loss.toFixed(3)}, test loss ${test.loss.toFixed(3)}, test accuracy ${(test.accuracy * 100).toFixed(1)}%`;
  return { train: train.accuracy, test: test.accuracy };
}

/** Trains `run` until test accuracy reaches `target` or `maxSteps`; returns the last test accuracy. */
async function trainUntil(run: Run, chart: ReturnType<typeof lineChart>, target: number, maxSteps: number): Promise<number> {
  let acc = 0;
  while (run.steps < maxSteps) {
    for (let i = 0; i < EVAL_EVERY; i++) await run.step();
    acc = (await refresh(run, chart)).test;
    if (acc >= target) break;
  }
  return acc;
}

/** The lectures' XOR story: a linear model, then the same with one hidden ReLU layer of 8 units. */
const xorLinear = { dataset: 'xor', noise: '0', hidden: '', activation: 'relu', optimizer: 'adam', lr: '0.03', batch: '32', l2: '0', dropout: '0' };
const xorHidden = { ...xorLinear, hidden: '8' };

function setForm(s: Partial<Record<keyof Settings, string>>): void {
  for (const [k, v] of Object.entries(s)) $<HTMLInputElement>(`#${k === 'trainShare' ? 'train-share' : k}`).value = v;
}

runPage(async () => {
  await startPage();
  const chart = lineChart($('#loss-chart'), { title: 'loss', xLabel: 'training step', yLabel: 'cross-entropy (nats)', series: ['train', 'test'], integerX: true });
  let run = new Run(readSettings());
  await refresh(run, chart);

  if (param('test') === 'xor') {
    setForm(xorLinear);
    run = new Run(readSettings());
    const linear = await trainUntil(run, chart, 1, 200);
    setForm(xorHidden);
    run = new Run(readSettings());
    const hidden = await trainUntil(run, chart, 1, 600);
    return [
      { name: 'a linear model fails XOR', pass: linear < 0.8, message: `test accuracy ${linear} after ${200} steps` },
      { name: 'one hidden ReLU layer solves XOR', pass: hidden === 1, message: `test accuracy ${hidden} after ${run.steps} steps` },
    ] satisfies PageCheck[];
  }

  let training = false;
  const trainButton = $<HTMLButtonElement>('#train');
  const loop = async () => {
    while (training) {
      for (let i = 0; i < EVAL_EVERY; i++) await run.step();
      await refresh(run, chart);
    }
  };
  // One loop at a time: a loop paused and restarted before it noticed runs on, the next one after it.
  let looping = Promise.resolve();
  trainButton.addEventListener('click', () => {
    training = !training;
    trainButton.textContent = training ? 'Pause' : 'Train';
    if (training) looping = looping.then(loop);
  });
  $('#step').addEventListener('click', async () => {
    if (training) return;
    await run.step();
    await refresh(run, chart);
  });
  const reset = async () => {
    training = false;
    trainButton.textContent = 'Train';
    run = new Run(readSettings());
    await refresh(run, chart);
  };
  $('#reset').addEventListener('click', () => void reset());
  for (const [id, preset] of [['#xor-linear', xorLinear], ['#xor-hidden', xorHidden]] as const) {
    $(id).addEventListener('click', () => {
      setForm(preset);
      void reset().then(() => trainButton.click());
    });
  }
  $('#form').addEventListener('change', () => void reset());
  return [{ name: 'playground', pass: true, message: 'ready' }];
});
