// The buffer side of a compiled plan, for any backend that runs the schedule: which buffer each
// kernel binding reads or writes in a run (an input leaf, a slot of the memory plan, or an
// output the realize keeps), how each assigned root reaches its target (src/graph/schedule.ts
// writePlan), and the memory plan of the intermediates (src/graph/memory-plan.ts). Pure.

import { sizeOf } from '../shape';
import type { LazyNode } from './ir';
import { planMemory, type MemoryPlan, type PlanStep } from './memory-plan';
import type { GraphSignature } from './plan-cache';
import { kernelOutputs, writePlan, type Kernel } from './schedule';

/** Where a binding's buffer comes from in a run: an input leaf, a plan slot, or a kept output. */
export type BufferRef = { readonly from: 'leaf' | 'slot' | 'output'; readonly index: number };

/**
 * A value a plan writes for a root: into a fresh storage, straight into an assigned root's target
 * storage (`direct`), or into a pooled buffer copied into the target after every kernel has run
 * (`copy`: some kernel of the plan reads the old contents where a direct write would race).
 */
export interface Output {
  readonly dtype: LazyNode['dtype'];
  readonly size: number;
  readonly write: 'fresh' | 'direct' | 'copy';
  /** Which root of the realize it is (an assigned root's target comes from that node). */
  readonly root: number;
}

/** The buffers of a plan: what every run binds, and the memory plan of its intermediates. */
export interface BufferPlan {
  /** For each kernel, where each of its bindings (in binding order) comes from. */
  readonly refs: readonly (readonly BufferRef[])[];
  /** Each root's storage: a leaf it already is, or an output this plan writes. */
  readonly roots: readonly BufferRef[];
  readonly outputs: readonly Output[];
  /** Leaves some kernel binds (a root leaf needs no upload). */
  readonly boundLeaves: readonly number[];
  readonly memory: MemoryPlan;
}

/**
 * The buffer plan of `kernels` (the schedule of `roots`), each binding the nodes `bindings[i]`;
 * `bytesOf` and `sizeClass` are the backend's storage size and pool size class.
 */
export function planBuffers(
  roots: readonly LazyNode[],
  sig: GraphSignature,
  kernels: readonly Kernel[],
  bindings: readonly (readonly LazyNode[])[],
  bytesOf: (elements: number) => number,
  sizeClass: (bytes: number) => number,
): BufferPlan {
  const leafIndex = new Map(sig.leaves.map((n, i) => [n, i]));
  const { direct } = writePlan(kernels);
  const outputIndex = new Map<LazyNode, number>();
  const outputs: Output[] = [];
  roots.forEach((r, i) => {
    if (r.op.kind === 'buffer' || outputIndex.has(r)) return;
    outputIndex.set(r, outputs.length);
    const write = r.target === null ? 'fresh' : direct.has(r) ? 'direct' : 'copy';
    outputs.push({ dtype: r.dtype, size: sizeOf(r.shape), write, root: i });
  });
  // One planner step per value written; a kernel's reads count at its last output, so its inputs
  // stay live (and unshared) until every output of it is placed.
  const stepOf = new Map<LazyNode, number>();
  const steps: PlanStep[] = [];
  kernels.forEach((k, i) => {
    const outs = kernelOutputs(k);
    const reads = bindings[i].flatMap((n) => (!outs.includes(n) && stepOf.has(n) ? [stepOf.get(n)!] : []));
    outs.forEach((o, j) => {
      stepOf.set(o, steps.length);
      steps.push({ bytes: bytesOf(sizeOf(o.shape)), reads: j === outs.length - 1 ? reads : [], kept: outputIndex.has(o) });
    });
  });
  const memory = planMemory(steps, sizeClass);
  const bound = new Set<number>();
  const refOf = (n: LazyNode): BufferRef => {
    const out = outputIndex.get(n);
    if (out !== undefined) return { from: 'output', index: out };
    const step = stepOf.get(n);
    if (step !== undefined) return { from: 'slot', index: memory.slotOf[step] };
    const leaf = leafIndex.get(n);
    if (leaf === undefined) throw new Error(`plan: kernel input ${n.id} (${n.op.kind}) is neither a buffer nor a kernel's output`);
    bound.add(leaf);
    return { from: 'leaf', index: leaf };
  };
  const refs = bindings.map((b) => b.map(refOf));
  return {
    refs,
    roots: roots.map((r) => (r.op.kind === 'buffer' ? { from: 'leaf', index: leafIndex.get(r)! } : { from: 'output', index: outputIndex.get(r)! })),
    outputs,
    boundLeaves: [...bound],
    memory,
  };
}
