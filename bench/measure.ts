// Timing one engine on one workload: the first step (compile and upload) timed alone, warm-up
// steps, then the median of timed steps, each waited for (its check value read back); GFLOP/s
// from the workload's FLOPs, dispatches per step where the engine counts them.

import { workloadData, type Engine, type Mode, type Workload, type WorkloadId } from './workloads';

/** One cell of the benchmark: an engine on a workload. */
export interface BenchRow {
  workload: WorkloadId;
  name: string;
  engine: string;
  /** The first step, including compilation. */
  firstMs: number | null;
  /** Median of the timed steps after warm-up. */
  medianMs: number | null;
  gflops: number | null;
  dispatches: number | null;
  /** Bytes one timed step uploads to the device (the workloads reuse their data: 0 expected). */
  uploadedBytes: number | null;
  /** The first step's loss (training) or mean |output| (forward), compared across engines. */
  check: number | null;
  runs: number;
  /** Whether `check` agrees with the reference engine's; null where there is nothing to compare. */
  agrees: boolean | null;
  note?: string;
}

/**
 * quick: the first step and two timed ones; full: a warm-up of at least two steps and 5 s (an
 * engine may still compile after its first step — webgrad builds its fastest kernels in the
 * background on software adapters — and the median is of the steady state), then more steps
 * within a time budget.
 */
const plan = { quick: { warmup: 0, warmupMs: 0, min: 2, max: 2, budgetMs: 0 }, full: { warmup: 2, warmupMs: 5000, min: 5, max: 30, budgetMs: 3000 } } as const;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Measures `engine` on `workload`; a failure becomes a row with its message. */
export async function measure(engine: Engine, workload: Workload, mode: Mode): Promise<BenchRow> {
  const row: BenchRow = { workload: workload.id, name: workload.name, engine: engine.name, firstMs: null, medianMs: null, gflops: null, dispatches: null, uploadedBytes: null, check: null, runs: 0, agrees: null };
  try {
    const prepared = await engine.prepare(workload, workloadData(workload));
    try {
      const t0 = performance.now();
      row.check = await prepared.step();
      row.firstMs = performance.now() - t0;
      const p = plan[mode];
      const warm = performance.now();
      for (let i = 0; i < p.warmup || performance.now() - warm < p.warmupMs; i++) await prepared.step();
      const times: number[] = [];
      const start = performance.now();
      while (times.length < p.min || (times.length < p.max && performance.now() - start < p.budgetMs)) {
        const t = performance.now();
        await prepared.step();
        times.push(performance.now() - t);
      }
      row.runs = times.length;
      row.medianMs = median(times);
      row.gflops = workload.flops / row.medianMs / 1e6;
      if (engine.countsOf) ({ dispatches: row.dispatches, uploadedBytes: row.uploadedBytes } = await engine.countsOf(prepared));
    } finally {
      prepared.dispose();
    }
  } catch (err) {
    row.note = `failed: ${err instanceof Error ? err.message : String(err)}`;
  }
  return row;
}

/** Relative tolerance of the cross-engine check (float32 sums in different orders). */
const TOLERANCE = 2e-3;

/**
 * Marks each row's agreement with the reference engine on its workload (webgrad-cpu where it ran,
 * else the first engine with a value).
 */
export function crossCheck(rows: BenchRow[]): void {
  for (const id of new Set(rows.map((r) => r.workload))) {
    const mine = rows.filter((r) => r.workload === id && r.check !== null);
    const ref = mine.find((r) => r.engine === 'webgrad-cpu') ?? mine[0];
    for (const r of mine) r.agrees = ref && r !== ref ? Math.abs(r.check! - ref.check!) <= TOLERANCE * Math.max(1e-6, Math.abs(ref.check!)) : null;
  }
}
