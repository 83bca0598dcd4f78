// The regression page (demo/regression.html): one MLP, copied five times from the same initial
// weights, fits a noisy 1-D function with SGD, momentum, Nesterov, RMSprop and Adam side by side
// (full batch), each with early stopping on a validation split; the fits over the data and the
// loss curves update live. `?test=1` runs a short fit and reports whether Adam ends below SGD and
// how early stopping showed.

import * as wg from 'webgrad';
import { lineChart, type ChartFacts } from './shared/charts';
import { gaussian, seededRandom } from './shared/datasets2d';
import { makeOptimizer, Mlp, type OptimizerChoice, type Stepper } from './shared/mlp';
import { $, param, runPage, startPage } from './shared/page';

type FunctionName = 'sine' | 'step' | 'poly';
const functions: Record<FunctionName, (x: number) => number> = {
  sine: (x) => Math.sin(3 * x),
  step: (x) => (x < 0 ? -0.5 : 0.5),
  poly: (x) => 1.5 * x ** 3 - x,
};

const optimizers: readonly { choice: OptimizerChoice; label: string; lr: number }[] = [
  { choice: 'sgd', label: 'SGD', lr: 0.05 },
  { choice: 'momentum', label: 'momentum', lr: 0.05 },
  { choice: 'nesterov', label: 'Nesterov', lr: 0.05 },
  { choice: 'rmsprop', label: 'RMSprop', lr: 0.003 },
  { choice: 'adam', label: 'Adam', lr: 0.01 },
];
const POINTS = 120;
const DRAW_EVERY = 20;

/** Sorted sample points of `fn` with noise, every fourth one held out for validation. */
function samples(fn: FunctionName, noise: number) {
  const rand = seededRandom(5);
  const xs = Array.from({ length: POINTS }, () => rand() * 2 - 1).sort((a, b) => a - b);
  const ys = xs.map((x) => functions[fn](x) + noise * gaussian(rand));
  const val = xs.map((_, i) => i % 4 === 3);
  const pick = (keep: boolean) => ({ x: Float32Array.from(xs.filter((_, i) => val[i] === keep)), y: Float32Array.from(ys.filter((_, i) => val[i] === keep)) });
  return { xs, ys, train: pick(false), val: pick(true) };
}

interface Contender {
  label: string;
  model: Mlp;
  opt: Stepper;
  losses: number[];
  best: number;
  sinceBest: number;
  stoppedAt: number | null;
}

const column = (v: Float32Array): wg.Tensor => wg.tensor(v, { shape: [v.length, 1] });

async function fit(fn: FunctionName, noise: number, steps: number, patience: number, fitChart: ReturnType<typeof lineChart>, lossChart: ReturnType<typeof lineChart>): Promise<Contender[]> {
  const data = samples(fn, noise);
  const [xTrain, yTrain, xVal, yVal, xAll] = [data.train.x, data.train.y, data.val.x, data.val.y, Float32Array.from(data.xs)].map(column) as [wg.Tensor, wg.Tensor, wg.Tensor, wg.Tensor, wg.Tensor];
  const contenders: Contender[] = optimizers.map((o) => {
    wg.seed(11); // the same initial weights for every optimizer
    const model = new Mlp({ inputs: 1, hidden: [32, 32], outputs: 1, activation: 'tanh', l2: 0, dropout: 0 });
    return { label: o.label, model, opt: makeOptimizer(o.choice, model.parameters(), o.lr), losses: [], best: Infinity, sinceBest: 0, stoppedAt: null };
  });
  const stepsAxis: number[] = [];
  for (let s = 1; s <= steps; s++) {
    for (const c of contenders) {
      if (c.stoppedAt !== null) continue;
      c.opt.zeroGrad();
      // No tidy around the step: the optimizer creates its state at the first step, and that
      // state must outlive the step (tensors of the graph are released when unreferenced).
      const loss = wg.losses.mse(c.model.logits(xTrain, true), yTrain);
      loss.backward();
      c.opt.step();
      const val = wg.noGrad(() => wg.losses.mse(c.model.logits(xVal, false), yVal));
      c.losses.push(await loss.item());
      const v = await val.item();
      loss.dispose();
      val.dispose();
      if (v < c.best) [c.best, c.sinceBest] = [v, 0];
      else if (++c.sinceBest >= patience) c.stoppedAt = s;
    }
    stepsAxis.push(s);
    if (s % DRAW_EVERY === 0 || s === steps || contenders.every((c) => c.stoppedAt !== null)) {
      // The last ring series marks where each optimizer stopped early, on its curve's end.
      const stops = stepsAxis.map((step) => contenders.find((c) => c.stoppedAt === step)?.losses.at(-1) ?? null);
      lossChart.set(stepsAxis, [...contenders.map((c) => stepsAxis.map((_, i) => c.losses[i] ?? null)), stops]);
      const curves = await Promise.all(contenders.map(async (c) => (await wg.noGrad(() => c.model.logits(xAll, false)).data()) as Float32Array));
      fitChart.set(data.xs, [data.ys, ...curves]);
      $('#status').textContent = `step ${s} of ${steps}`;
      if (contenders.every((c) => c.stoppedAt !== null)) break;
    }
  }
  const rows = contenders.map((c) => {
    const tr = document.createElement('tr');
    for (const [text, num] of [[c.label, false], [String(c.losses.length), true], [c.losses.at(-1)!.toFixed(4), true], [c.best.toFixed(4), true], [c.stoppedAt ? `stopped at step ${c.stoppedAt}` : 'ran every step', false]] as const) {
      tr.append(Object.assign(document.createElement('td'), { textContent: text, className: num ? 'num' : '' }));
    }
    return tr;
  });
  $('#summary tbody').replaceChildren(...rows);
  return contenders;
}

runPage(async () => {
  await startPage();
  const labels = optimizers.map((o) => o.label);
  const fitChart = lineChart($('#fit-chart'), { title: 'fits over the data', xLabel: 'x (input)', yLabel: 'y (output)', series: ['data', ...labels], pointsOnly: [0] });
  const lossChart = lineChart($('#loss-chart'), { title: 'training loss (MSE)', xLabel: 'training step', yLabel: 'MSE (y units²)', series: [...labels, 'stopped early'], markers: [labels.length], logY: true, integerX: true, firstColour: 1 });
  const read = () => [$<HTMLSelectElement>('#fn').value as FunctionName, Number($<HTMLInputElement>('#noise').value), Number($<HTMLInputElement>('#steps').value), Number($<HTMLInputElement>('#patience').value)] as const;
  if (param('test') === '1') {
    // The form shows the run the checks make (400 steps, patience 30), so the page tells what was trained.
    $<HTMLInputElement>('#steps').value = '400';
    $<HTMLInputElement>('#patience').value = '30';
    const result = await fit(...read(), fitChart, lossChart);
    const sgd = result.find((c) => c.label === 'SGD')!;
    const adam = result.find((c) => c.label === 'Adam')!;
    const at = Math.min(sgd.losses.length, adam.losses.length) - 1;
    const stopped = result.filter((c) => c.stoppedAt !== null);
    const rings = (window as unknown as { __charts: ChartFacts[] }).__charts[1]!.points.at(-1);
    const noted = Array.from(document.querySelectorAll('#summary td')).filter((td) => td.textContent?.startsWith('stopped at step')).length;
    return [
      { name: "Adam's curve ends below SGD's", pass: adam.losses[at]! < sgd.losses[at]!, message: `after ${at + 1} steps: Adam ${adam.losses[at]}, SGD ${sgd.losses[at]}` },
      {
        name: 'early stopping stops an optimizer, ringed on the loss chart and noted in the table',
        pass: stopped.length > 0 && rings === stopped.length && noted === stopped.length && stopped.every((c) => c.losses.length === c.stoppedAt),
        message: `stopped: ${stopped.map((c) => `${c.label} at ${c.stoppedAt}`).join(', ') || 'none'}; ${rings} rings, ${noted} table notes`,
      },
    ];
  }
  const button = $<HTMLButtonElement>('#train');
  button.addEventListener('click', async () => {
    button.disabled = true;
    await fit(...read(), fitChart, lossChart);
    button.disabled = false;
  });
  return [{ name: 'regression', pass: true, message: 'ready' }];
});
