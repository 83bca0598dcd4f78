// The training-step benchmark page: times one SGD step of the 784-256-128-10 MLP at batch 128
// (bench/mlp-step.ts) on webgrad's webgpu and cpu backends, with dispatches per step and the
// CPU-side cost of a cached step (graph build, plan key, bind + encode + submit). Reports rows in
// `window.__results` for bench/run-step.mjs. Not a test.

import { graphSignature } from '../src/graph/plan-cache';
import * as wg from '../src/index';
import { createMlp, stepGraph, trainStep } from './mlp-step';
import { pageReport } from './page-report';

/** One engine's measurements; times are medians over the timed steps. */
export interface StepRow {
  engine: string;
  /** Median time of a step whose loss is read back (waits for the device each step). */
  msPerStep: number | null;
  /** Mean time of steps run back to back, the loss read once at the end. */
  pipelinedMsPerStep: number | null;
  dispatchesPerStep: number | null;
  submitsPerStep: number | null;
  /** JS time to build the step's lazy graph (forward, backward, update). */
  buildMs: number | null;
  /** JS time to compute the graph's plan-cache key. */
  keyMs: number | null;
  /** JS time of the realize call: key, plan lookup, bind, encode, submit (no GPU wait). */
  realizeMs: number | null;
  steps: number;
  note?: string;
}

const f = (v: number | null, d = 2) => (v === null ? '–' : v.toFixed(d));
const results = pageReport((row: StepRow) => [row.engine, f(row.msPerStep, 1), f(row.pipelinedMsPerStep, 1), f(row.dispatchesPerStep, 0), f(row.submitsPerStep, 0), f(row.buildMs), f(row.keyMs, 3), f(row.realizeMs), row.note ?? String(row.steps)]);

const SIZES = [784, 256, 128, 10];
const BATCH = 128;
const LR = 0.01;
const WARMUP_STEPS = 3;
const MIN_STEPS = 5;
const BUDGET_MS = 15_000;
const PIPELINED_STEPS = 20;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function bench(backend: 'webgpu' | 'cpu'): Promise<StepRow> {
  await wg.init({ backend });
  const mlp = createMlp(wg, SIZES, BATCH);
  for (let i = 0; i < WARMUP_STEPS; i++) {
    const loss = trainStep(wg, mlp, LR);
    await loss.item();
    loss.dispose();
  }
  // Whole steps, each waited for (the loss read back), as a loop that logs every step.
  const stepMs: number[] = [];
  const start = performance.now();
  while (stepMs.length < MIN_STEPS || performance.now() - start < BUDGET_MS) {
    const t0 = performance.now();
    const loss = trainStep(wg, mlp, LR);
    await loss.item();
    stepMs.push(performance.now() - t0);
    loss.dispose();
  }
  // Steps back to back, the loss read once at the end, as a loop that logs every 50 steps; the
  // CPU side of each cached step is split into graph build, key, and realize (bind, encode,
  // submit), summed over the steps because the page's clock is coarse.
  let buildMs = 0;
  let keyMs = 0;
  let realizeMs = 0;
  wg.resetStats();
  const t0 = performance.now();
  for (let i = 0; i < PIPELINED_STEPS; i++) {
    const a = performance.now();
    const { next, loss } = wg.tidy(() => stepGraph(wg, mlp, LR));
    const b = performance.now();
    graphSignature([...next, loss].map((t) => t.node));
    const c = performance.now();
    wg.realize(...next, loss);
    const d = performance.now();
    for (const p of mlp.params) p.dispose();
    mlp.params = next.map((t) => t.requiresGrad_());
    if (i === PIPELINED_STEPS - 1) await loss.item();
    loss.dispose();
    buildMs += b - a;
    keyMs += c - b;
    realizeMs += d - c;
  }
  const pipelinedMs = (performance.now() - t0) / PIPELINED_STEPS;
  const s = wg.stats();
  for (const p of mlp.params) p.dispose();
  mlp.x.dispose();
  mlp.y.dispose();
  return {
    engine: `webgrad-${backend}`,
    msPerStep: median(stepMs),
    pipelinedMsPerStep: pipelinedMs,
    dispatchesPerStep: s.dispatches / PIPELINED_STEPS,
    // Realize submits only: the one readback at the end is a submit of its own on WebGPU.
    submitsPerStep: (s.submits - (backend === 'webgpu' ? 1 : 0)) / PIPELINED_STEPS,
    buildMs: buildMs / PIPELINED_STEPS,
    keyMs: keyMs / PIPELINED_STEPS,
    realizeMs: realizeMs / PIPELINED_STEPS,
    steps: stepMs.length,
  };
}

async function main(): Promise<void> {
  for (const backend of ['webgpu', 'cpu'] as const) {
    try {
      results.add(await bench(backend));
    } catch (err) {
      const note = `failed: ${err instanceof Error ? err.message : String(err)}`;
      results.add({ engine: `webgrad-${backend}`, msPerStep: null, pipelinedMsPerStep: null, dispatchesPerStep: null, submitsPerStep: null, buildMs: null, keyMs: null, realizeMs: null, steps: 0, note });
    }
  }
}

main().finally(() => results.finish());
