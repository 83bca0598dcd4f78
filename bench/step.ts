// The training-step benchmark page: times training steps on webgrad's webgpu and cpu backends —
// the 784-256-128-10 MLP at batch 128 with hand-written SGD (bench/mlp-step.ts) and with Adam,
// and the LeNet-like CNN at batch 64 with Adam (bench/cnn-step.ts) — with dispatches and submits
// per step and the CPU-side cost of a cached step. Reports rows in `window.__results` for
// bench/run-step.mjs. Not a test.

import { graphSignature } from '../src/graph/plan-cache';
import * as wg from '../src/index';
import type { Tensor } from '../src/index';
import { cnnLogits, createCnn } from './cnn-step';
import { createMlp, logitsOf, optimizerStep, stepGraph, trainStep } from './mlp-step';
import { pageReport } from './page-report';

/** One engine's measurements on one workload; times are medians over the timed steps. */
export interface StepRow {
  workload: string;
  engine: string;
  /** Median time of a step whose loss is read back (waits for the device each step). */
  msPerStep: number | null;
  /** Mean time of steps run back to back, the loss read once at the end. */
  pipelinedMsPerStep: number | null;
  dispatchesPerStep: number | null;
  submitsPerStep: number | null;
  /** JS time to build the step's lazy graph (SGD: forward, backward, update; Adam: forward, backward). */
  buildMs: number | null;
  /** JS time to compute the graph's plan-cache key (SGD rows). */
  keyMs: number | null;
  /** SGD: the realize call (key, plan lookup, bind, encode, submit; no GPU wait); Adam: `step()` (update graph and that realize). */
  realizeMs: number | null;
  steps: number;
  note?: string;
}

/** A model and its step: `step()` runs one whole step and returns its loss. */
interface Session {
  step(): Tensor;
  /** One step with its CPU-side phases timed (ms), for the back-to-back loop. */
  timedStep(): { loss: Tensor; buildMs: number; keyMs: number | null; realizeMs: number };
  dispose(): void;
}

interface Workload {
  name: string;
  /** Steps of the back-to-back loop (fewer for the CNN, whose steps take seconds on a CPU). */
  pipelinedSteps: number;
  start(): Session;
}

const f = (v: number | null, d = 2) => (v === null ? '–' : v.toFixed(d));
const results = pageReport((row: StepRow) => [row.workload, row.engine, f(row.msPerStep, 1), f(row.pipelinedMsPerStep, 1), f(row.dispatchesPerStep, 0), f(row.submitsPerStep, 0), f(row.buildMs), f(row.keyMs, 3), f(row.realizeMs), row.note ?? String(row.steps)]);

const SIZES = [784, 256, 128, 10];
const BATCH = 128;
const CNN_BATCH = 64;
const LR = 0.01;
const WARMUP_STEPS = 3;
const MIN_STEPS = 5;
const BUDGET_MS = 15_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const mlpSgd: Workload = {
  name: 'MLP, SGD by hand',
  pipelinedSteps: 20,
  start() {
    const mlp = createMlp(wg, SIZES, BATCH);
    return {
      step: () => trainStep(wg, mlp, LR),
      timedStep() {
        const a = performance.now();
        const { next, loss } = wg.tidy(() => stepGraph(wg, mlp, LR));
        const b = performance.now();
        graphSignature([...next, loss].map((t) => t.node));
        const c = performance.now();
        wg.realize(...next, loss);
        const d = performance.now();
        for (const p of mlp.params) p.dispose();
        mlp.params = next.map((t) => t.requiresGrad_());
        return { loss, buildMs: b - a, keyMs: c - b, realizeMs: d - c };
      },
      dispose: () => [...mlp.params, mlp.x, mlp.y, mlp.labels].forEach((t) => t.dispose()),
    };
  },
};

/** An Adam workload: `loss()` builds the forward pass; the PyTorch loop does the rest. */
function adamSession(params: Tensor[], loss: () => Tensor, data: Tensor[]): Session {
  const opt = new wg.optim.Adam(params, { lr: 1e-3 });
  return {
    step: () => optimizerStep(opt, loss),
    timedStep() {
      const a = performance.now();
      opt.zeroGrad();
      const l = loss();
      l.backward();
      const b = performance.now();
      opt.step();
      return { loss: l, buildMs: b - a, keyMs: null, realizeMs: performance.now() - b };
    },
    dispose: () => [...params, ...data].forEach((t) => t.dispose()),
  };
}

const mlpAdam: Workload = {
  name: 'MLP, Adam',
  pipelinedSteps: 20,
  start() {
    const mlp = createMlp(wg, SIZES, BATCH);
    return adamSession(mlp.params, () => wg.losses.crossEntropy(logitsOf(mlp), mlp.labels), [mlp.x, mlp.y, mlp.labels]);
  },
};

const cnnAdam: Workload = {
  name: 'CNN, Adam',
  pipelinedSteps: 5,
  start() {
    const cnn = createCnn(wg, CNN_BATCH);
    return adamSession(cnn.params, () => wg.losses.crossEntropy(cnnLogits(wg, cnn), cnn.labels), [cnn.x, cnn.labels]);
  },
};

async function bench(workload: Workload, backend: 'webgpu' | 'cpu'): Promise<StepRow> {
  await wg.init({ backend });
  const session = workload.start();
  for (let i = 0; i < WARMUP_STEPS; i++) await session.step().item();
  // Whole steps, each waited for (the loss read back), as a loop that logs every step.
  const stepMs: number[] = [];
  const start = performance.now();
  while (stepMs.length < MIN_STEPS || performance.now() - start < BUDGET_MS) {
    const t0 = performance.now();
    await session.step().item();
    stepMs.push(performance.now() - t0);
  }
  // Steps back to back, the loss read once at the end, as a loop that logs every 50 steps; the
  // CPU side of each cached step is summed over the steps because the page's clock is coarse.
  let buildMs = 0;
  let keyMs: number | null = 0;
  let realizeMs = 0;
  wg.resetStats();
  const t0 = performance.now();
  for (let i = 0; i < workload.pipelinedSteps; i++) {
    const s = session.timedStep();
    if (i === workload.pipelinedSteps - 1) await s.loss.item();
    buildMs += s.buildMs;
    keyMs = s.keyMs === null || keyMs === null ? null : keyMs + s.keyMs;
    realizeMs += s.realizeMs;
  }
  const pipelinedMs = (performance.now() - t0) / workload.pipelinedSteps;
  const s = wg.stats();
  session.dispose();
  return {
    workload: workload.name,
    engine: `webgrad-${backend}`,
    msPerStep: median(stepMs),
    pipelinedMsPerStep: pipelinedMs,
    dispatchesPerStep: s.dispatches / workload.pipelinedSteps,
    // Realize submits only: the one readback at the end is a submit of its own on WebGPU.
    submitsPerStep: (s.submits - (backend === 'webgpu' ? 1 : 0)) / workload.pipelinedSteps,
    buildMs: buildMs / workload.pipelinedSteps,
    keyMs: keyMs === null ? null : keyMs / workload.pipelinedSteps,
    realizeMs: realizeMs / workload.pipelinedSteps,
    steps: stepMs.length,
  };
}

async function main(): Promise<void> {
  for (const workload of [mlpSgd, mlpAdam, cnnAdam]) {
    for (const backend of ['webgpu', 'cpu'] as const) {
      try {
        results.add(await bench(workload, backend));
      } catch (err) {
        const note = `failed: ${err instanceof Error ? err.message : String(err)}`;
        results.add({ workload: workload.name, engine: `webgrad-${backend}`, msPerStep: null, pipelinedMsPerStep: null, dispatchesPerStep: null, submitsPerStep: null, buildMs: null, keyMs: null, realizeMs: null, steps: 0, note });
      }
    }
  }
}

main().finally(() => results.finish());
