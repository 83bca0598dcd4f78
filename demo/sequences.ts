// The sequences page (demo/sequences.html): SimpleRNN, GRU and LSTM layers (wg.layers) each learn
// to predict the next value of a noisy two-tone signal from its last 40 values; their one-step
// predictions on held-out time are plotted against the truth, with validation loss per epoch and
// each layer's training time per epoch (a chart and the table). `?test=1` runs a few epochs and
// reports the results.

import * as wg from 'webgrad';
import { lineChart, type ChartFacts, type LineChart } from './shared/charts';
import { gaussian, seededRandom } from './shared/datasets2d';
import { $, param, runPage, startPage } from './shared/page';

const WINDOW = 40;
const LENGTH = 700;
const TRAIN_END = 500;
const BATCH = 32;
const UNITS = 16;

const kinds = [
  { label: 'SimpleRNN', make: () => wg.layers.simpleRNN({ units: UNITS, inputShape: [WINDOW, 1] }) },
  { label: 'GRU', make: () => wg.layers.gru({ units: UNITS, inputShape: [WINDOW, 1] }) },
  { label: 'LSTM', make: () => wg.layers.lstm({ units: UNITS, inputShape: [WINDOW, 1] }) },
] as const;

/** The clean signal at step t: two tones, so predicting it needs the last few dozen steps. */
const signal = (t: number): number => 0.6 * Math.sin(0.21 * t) + 0.4 * Math.sin(0.037 * t + 1);

/** Windows of the noisy series [N, WINDOW, 1] and their next values [N, 1], over [from, to). */
function windows(series: Float32Array, from: number, to: number): { x: Float32Array; y: Float32Array; n: number } {
  const n = to - from - WINDOW;
  const x = new Float32Array(n * WINDOW);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x.set(series.subarray(from + i, from + i + WINDOW), i * WINDOW);
    y[i] = series[from + i + WINDOW]!;
  }
  return { x, y, n };
}

interface Outcome {
  label: string;
  params: number;
  msPerEpoch: number;
  /** Each epoch's training time (ms), validation excluded. */
  epochMs: number[];
  valLoss: number[];
  predictions: Float32Array;
}

async function trainOne(kind: (typeof kinds)[number], data: ReturnType<typeof windows>, val: ReturnType<typeof windows>, epochs: number, onEpoch: (loss: number[], epochMs: number[]) => void): Promise<Outcome> {
  wg.seed(21);
  const rnn = kind.make();
  const head = wg.layers.dense({ units: 1, inputShape: [UNITS] });
  const params = [...rnn.parameters(), ...head.parameters()];
  const opt = new wg.optim.Adam(params, { lr: 0.01 });
  const predict = (x: wg.Tensor) => head.apply(rnn.apply(x) as wg.Tensor) as wg.Tensor;
  const xVal = wg.tensor(val.x, { shape: [val.n, WINDOW, 1] });
  const yVal = wg.tensor(val.y, { shape: [val.n, 1] });
  const rand = seededRandom(9);
  const valLoss: number[] = [];
  const epochMs: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const order = Array.from({ length: data.n }, (_, i) => i).sort(() => rand() - 0.5);
    const t0 = performance.now();
    for (let b = 0; b + BATCH <= data.n; b += BATCH) {
      const xb = new Float32Array(BATCH * WINDOW);
      const yb = new Float32Array(BATCH);
      for (let i = 0; i < BATCH; i++) {
        const j = order[b + i]!;
        xb.set(data.x.subarray(j * WINDOW, (j + 1) * WINDOW), i * WINDOW);
        yb[i] = data.y[j]!;
      }
      opt.zeroGrad();
      const loss = wg.losses.mse(predict(wg.tensor(xb, { shape: [BATCH, WINDOW, 1] })), wg.tensor(yb, { shape: [BATCH, 1] }));
      loss.backward();
      opt.step();
      if (b + 2 * BATCH > data.n) await loss.item(); // the epoch's time includes its last step's result
      loss.dispose();
    }
    epochMs.push(performance.now() - t0);
    const v = wg.noGrad(() => wg.losses.mse(predict(xVal), yVal));
    valLoss.push(await v.item());
    v.dispose();
    onEpoch(valLoss, epochMs);
  }
  const p = wg.noGrad(() => predict(xVal));
  const predictions = (await p.data()) as Float32Array;
  p.dispose();
  return { label: kind.label, params: params.reduce((s, t) => s + t.size, 0), msPerEpoch: epochMs.reduce((a, b) => a + b, 0) / epochs, epochMs, valLoss, predictions };
}

interface Charts {
  pred: LineChart;
  loss: LineChart;
  time: LineChart;
}

async function compare(epochs: number, noise: number, charts: Charts): Promise<Outcome[]> {
  const rand = seededRandom(4);
  const series = Float32Array.from({ length: LENGTH }, (_, t) => signal(t) + noise * gaussian(rand));
  const data = windows(series, 0, TRAIN_END);
  const val = windows(series, TRAIN_END - WINDOW, LENGTH);
  const steps = Array.from({ length: val.n }, (_, i) => TRAIN_END + i);
  const epochsAxis = Array.from({ length: epochs }, (_, i) => i + 1);
  const outcomes: Outcome[] = [];
  const perEpoch = (series: (number[] | undefined)[]) => kinds.map((_, i) => epochsAxis.map((_, e) => series[i]?.[e] ?? null));
  const draw = (current: { loss: number[]; ms: number[] } | null) => {
    charts.loss.set(epochsAxis, perEpoch([...outcomes.map((o) => o.valLoss), current?.loss]));
    charts.time.set(epochsAxis, perEpoch([...outcomes.map((o) => o.epochMs), current?.ms]));
    charts.pred.set(steps, [val.y, ...kinds.map((_, i) => outcomes[i]?.predictions ?? new Array<null>(val.n).fill(null))]);
  };
  for (const kind of kinds) {
    $('#status').textContent = `training ${kind.label}…`;
    outcomes.push(await trainOne(kind, data, val, epochs, (loss, ms) => draw({ loss, ms })));
    draw(null);
  }
  $('#summary tbody').replaceChildren(
    ...outcomes.map((o) => {
      const tr = document.createElement('tr');
      for (const [text, num] of [[o.label, false], [String(o.params), true], [o.msPerEpoch.toFixed(0), true], [o.valLoss.at(-1)!.toFixed(4), true]] as const) {
        tr.append(Object.assign(document.createElement('td'), { textContent: text, className: num ? 'num' : '' }));
      }
      return tr;
    }),
  );
  $('#status').textContent = 'done';
  return outcomes;
}

runPage(async () => {
  await startPage();
  const layers = kinds.map((k) => k.label);
  const charts: Charts = {
    pred: lineChart($('#pred-chart'), { title: 'one-step predictions on held-out time', xLabel: 'time step', yLabel: 'signal value (a.u.)', series: ['truth', ...layers], integerX: true }),
    loss: lineChart($('#loss-chart'), { title: 'validation MSE per epoch', xLabel: 'epoch', yLabel: 'MSE (a.u.²)', series: layers, logY: true, integerX: true, firstColour: 1 }),
    time: lineChart($('#time-chart'), { title: 'training time per epoch', xLabel: 'epoch', yLabel: 'time (ms)', series: layers, integerX: true, firstColour: 1 }),
  };
  const read = () => [Number($<HTMLInputElement>('#epochs').value), Number($<HTMLInputElement>('#noise').value)] as const;
  if (param('test') === '1') {
    const [, noise] = read();
    const epochs = 6;
    const outcomes = await compare(epochs, noise, charts);
    const timeFacts = (window as unknown as { __charts: ChartFacts[] }).__charts[2]!;
    return [
      ...outcomes.map((o) => ({
        name: `${o.label} learns the signal`,
        pass: o.valLoss.at(-1)! < o.valLoss[0]! && o.msPerEpoch > 0,
        message: `validation MSE ${o.valLoss[0]!.toFixed(4)} → ${o.valLoss.at(-1)!.toFixed(4)}, ${o.msPerEpoch.toFixed(0)} ms per epoch`,
      })),
      { name: "each layer's training time is plotted per epoch", pass: timeFacts.points.every((p) => p === epochs), message: `points per layer: ${timeFacts.points.join(', ')}` },
    ];
  }
  $('#form').addEventListener('submit', async (e) => {
    e.preventDefault();
    $<HTMLButtonElement>('#train').disabled = true;
    await compare(...read(), charts);
    $<HTMLButtonElement>('#train').disabled = false;
  });
  return [{ name: 'sequences', pass: true, message: 'ready' }];
});
