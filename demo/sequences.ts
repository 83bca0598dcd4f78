// The sequences page (demo/sequences.html): SimpleRNN, GRU and LSTM layers (wg.layers) each learn
// to recall the value at a marked step of a noisy sequence, up to 29 steps back; their recalls on
// held-out sequences are plotted against the truth, with validation loss per epoch and each
// layer's training time per epoch (a chart and the table). `?test=1` runs a few epochs and reports.

import * as wg from 'webgrad';
import { lineChart, type ChartFacts, type LineChart } from './shared/charts';
import { seededRandom } from './shared/datasets2d';
import { $, param, runPage, startPage } from './shared/page';

const TRAIN = 1024;
const HELD_OUT = 256;
const BATCH = 32;
const UNITS = 16;

const kinds = [
  { label: 'SimpleRNN', make: (steps: number) => wg.layers.simpleRNN({ units: UNITS, inputShape: [steps, 2] }) },
  { label: 'GRU', make: (steps: number) => wg.layers.gru({ units: UNITS, inputShape: [steps, 2] }) },
  { label: 'LSTM', make: (steps: number) => wg.layers.lstm({ units: UNITS, inputShape: [steps, 2] }) },
] as const;

/** Marked-recall sequences: x [n, steps, 2] (a uniform value in [-1, 1], a 0/1 marker at one random step), y [n, 1] the marked value. */
interface Recall {
  x: Float32Array;
  y: Float32Array;
  n: number;
  steps: number;
}

function recallSequences(n: number, steps: number, seed: number): Recall {
  const rand = seededRandom(seed);
  const x = new Float32Array(n * steps * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const marked = Math.floor(rand() * steps);
    for (let t = 0; t < steps; t++) {
      const at = (i * steps + t) * 2;
      x[at] = rand() * 2 - 1;
      if (t === marked) {
        x[at + 1] = 1;
        y[i] = x[at]!;
      }
    }
  }
  return { x, y, n, steps };
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

async function trainOne(kind: (typeof kinds)[number], data: Recall, val: Recall, epochs: number, onEpoch: (loss: number[], epochMs: number[]) => void): Promise<Outcome> {
  wg.seed(1);
  const steps = data.steps;
  const rnn = kind.make(steps);
  const head = wg.layers.dense({ units: 1, inputShape: [UNITS] });
  const params = [...rnn.parameters(), ...head.parameters()];
  const opt = new wg.optim.Adam(params, { lr: 0.02 });
  const predict = (x: wg.Tensor) => head.apply(rnn.apply(x) as wg.Tensor) as wg.Tensor;
  const xVal = wg.tensor(val.x, { shape: [val.n, steps, 2] });
  const yVal = wg.tensor(val.y, { shape: [val.n, 1] });
  const valLoss: number[] = [];
  const epochMs: number[] = [];
  const perSequence = steps * 2;
  for (let e = 0; e < epochs; e++) {
    const t0 = performance.now();
    for (let b = 0; b + BATCH <= data.n; b += BATCH) {
      opt.zeroGrad();
      const xb = wg.tensor(data.x.subarray(b * perSequence, (b + BATCH) * perSequence), { shape: [BATCH, steps, 2] });
      const loss = wg.losses.mse(predict(xb), wg.tensor(data.y.subarray(b, b + BATCH), { shape: [BATCH, 1] }));
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

async function compare(epochs: number, steps: number, charts: Charts): Promise<Outcome[]> {
  // The same sequences every epoch, in a fixed order: one batch order for every layer.
  const data = recallSequences(TRAIN, steps, 4);
  const val = recallSequences(HELD_OUT, steps, 5);
  // Held-out sequences sorted by their marked value: the truth is a rising curve.
  const order = Array.from({ length: val.n }, (_, i) => i).sort((a, b) => val.y[a]! - val.y[b]!);
  const rank = Array.from({ length: val.n }, (_, i) => i + 1);
  const epochsAxis = Array.from({ length: epochs }, (_, i) => i + 1);
  const outcomes: Outcome[] = [];
  const perEpoch = (series: (number[] | undefined)[]) => kinds.map((_, i) => epochsAxis.map((_, e) => series[i]?.[e] ?? null));
  const sorted = (values: Float32Array | undefined) => order.map((j) => values?.[j] ?? null);
  const draw = (current: { loss: number[]; ms: number[] } | null) => {
    charts.loss.set(epochsAxis, perEpoch([...outcomes.map((o) => o.valLoss), current?.loss]));
    charts.time.set(epochsAxis, perEpoch([...outcomes.map((o) => o.epochMs), current?.ms]));
    charts.pred.set(rank, [sorted(val.y), ...kinds.map((_, i) => sorted(outcomes[i]?.predictions))]);
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
    pred: lineChart($('#pred-chart'), { title: 'recalled values on held-out sequences', xLabel: 'held-out sequence (by marked value)', yLabel: 'marked value (a.u.)', series: ['truth', ...layers], pointsOnly: [1, 2, 3], integerX: true }),
    loss: lineChart($('#loss-chart'), { title: 'validation MSE per epoch', xLabel: 'epoch', yLabel: 'MSE (a.u.²)', series: layers, logY: true, integerX: true, firstColour: 1 }),
    time: lineChart($('#time-chart'), { title: 'training time per epoch', xLabel: 'epoch', yLabel: 'time (ms)', series: layers, integerX: true, firstColour: 1 }),
  };
  const read = () => [Number($<HTMLInputElement>('#epochs').value), Number($<HTMLInputElement>('#steps').value)] as const;
  if (param('test') === '1') {
    const epochs = 6;
    $<HTMLInputElement>('#epochs').value = String(epochs); // the form shows the run the test makes
    const [simple, ...gated] = await compare(...read(), charts);
    const facts = (window as unknown as { __charts: ChartFacts[] }).__charts;
    const last = (o: Outcome) => o.valLoss.at(-1)!;
    return [
      ...gated.map((o) => ({
        name: `${o.label} recalls the marked value far better than SimpleRNN`,
        pass: last(o) < 0.05 && last(o) < last(simple!) / 5,
        message: `validation MSE after ${epochs} epochs: ${o.label} ${last(o).toFixed(4)}, SimpleRNN ${last(simple!).toFixed(4)} (answering 0 scores 0.333)`,
      })),
      { name: 'the recalls are plotted against the truth', pass: facts[0]!.points.every((p) => p === HELD_OUT), message: `points per series: ${facts[0]!.points.join(', ')}` },
      { name: "each layer's training time is plotted per epoch", pass: facts[2]!.points.every((p) => p === epochs), message: `points per layer: ${facts[2]!.points.join(', ')}` },
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
