// Execution plans of the WebGPU backend. Compiling (once per graph structure, see
// src/graph/plan-cache.ts) schedules the graph, lowers its kernels to pipelines and plans their
// buffers (src/graph/plan.ts). Running (every realize) only binds this realize's buffers: input
// leaves, pooled buffers for the plan's slots, fresh pooled buffers for the roots the caller
// keeps, and one uniform buffer with this realize's runtime scalars (src/graph/scalars.ts);
// it encodes every dispatch (and a copy kernel's buffer copies) in one command encoder and submits once.
// A kernel's runtime dims (GpuLaunch.dims) are written once, when a plan first needs them.
// Where the platform compiles pipelines in parallel (a browser), a synchronous realize of a new
// graph binds its buffers now and submits once its pipelines, all created asynchronously, are
// ready; later device work waits behind it in the pool's gate (./queue-gate.ts). With tiered
// compilation such a plan first runs its kernels' quick variants and is rebuilt on the fast ones
// once they have compiled in the background (Planner.tieredCompile).

import { allocHost } from '../../dtype';
import { Storage, type LazyNode } from '../../graph/ir';
import { planBuffers, type BufferPlan, type BufferRef } from '../../graph/plan';
import { graphSignature, PlanCache, type GraphSignature } from '../../graph/plan-cache';
import { encodeScalars, scalarBlockBytes } from '../../graph/scalars';
import { kernelBindings, type Kernel } from '../../graph/schedule';
import { sizeOf } from '../../shape';
import { stats } from '../backend';
import { sizeClass, STORAGE_USAGE, UNIFORM_USAGE, type BufferPool } from './buffer-pool';
import { dimsBuffer } from './bindings';
import { gpuBytes, type GpuStorages } from './gpu-storage';

/** One kernel lowered for the device: its pipeline, layout, grid and the nodes it binds, in order. */
export interface CompiledKernel {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  readonly workgroups: readonly [number, number, number];
  readonly bindings: readonly LazyNode[];
  /** The nodes whose runtime scalars fill the kernel's group-1 block, in slot order. */
  readonly scalars: readonly LazyNode[];
  readonly scalarLayout: GPUBindGroupLayout | null;
  /** Group 2's layout, when the kernel reports bad input through the device's error flags. */
  readonly errorLayout: GPUBindGroupLayout | null;
  /** The kernel's runtime dims (GpuLaunch.dims) and group 3's layout; null: its sizes are compiled in. */
  readonly dims: readonly number[] | null;
  readonly dimsLayout: GPUBindGroupLayout | null;
  /** An empty group's layout, for the groups below the last one the kernel uses that it leaves empty. */
  readonly gapLayout: GPUBindGroupLayout | null;
}

/** A kernel compiled in tiers: the variant to run first, and the faster one to swap in once built (null: none). */
export interface TieredKernel {
  readonly first: Promise<CompiledKernel>;
  readonly faster: (() => Promise<CompiledKernel>) | null;
}

/** What a plan needs from the backend: its schedule and kernel lowering. */
export interface KernelCompiler {
  schedule(roots: readonly LazyNode[]): Kernel[];
  compileKernel(k: Kernel): CompiledKernel;
  compileKernelAsync(k: Kernel): Promise<CompiledKernel>;
  compileKernelTiered(k: Kernel): TieredKernel;
}

/** A kernel's scalar block in a run's uniform buffer: which of the graph's scalars, where. */
interface ScalarBlockRef {
  readonly layout: GPUBindGroupLayout;
  /** Indices into the graph signature's `scalars`, in the block's slot order. */
  readonly slots: readonly number[];
  readonly offsetBytes: number;
  readonly bytes: number;
}

interface PlannedDispatch {
  readonly kind: 'dispatch';
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  readonly workgroups: readonly [number, number, number];
  readonly refs: readonly BufferRef[];
  readonly scalars: ScalarBlockRef | null;
  readonly errorLayout: GPUBindGroupLayout | null;
  /** Group 3: the kernel's dims, bound to the same buffer every run. */
  readonly dims: GPUBindGroup | null;
  /** The empty groups below the last one used, and the empty bind group they get. */
  readonly gaps: { readonly groups: readonly number[]; readonly bindGroup: GPUBindGroup } | null;
}

/** A copy kernel's encoder copies in bytes, from binding `input` to the last binding (the output). */
interface PlannedCopies {
  readonly kind: 'copies';
  readonly refs: readonly BufferRef[];
  readonly copies: readonly { readonly input: number; readonly fromBytes: number; readonly toBytes: number; readonly bytes: number }[];
}

type PlannedKernel = PlannedDispatch | PlannedCopies;

/** A compiled plan: what a cache hit reuses. Holds no buffers between runs. */
export interface ExecutionPlan extends Omit<BufferPlan, 'refs'> {
  readonly kernels: readonly PlannedKernel[];
  /** Bytes of the uniform buffer holding every kernel's scalar block (0: none). */
  readonly scalarBytes: number;
}

/** The bind groups a plan makes once, when it is built: a kernel's dims, and empty groups. */
interface FixedGroups {
  dims(layout: GPUBindGroupLayout, words: readonly number[]): GPUBindGroup;
  empty(layout: GPUBindGroupLayout): GPUBindGroup;
}

/** The groups a dispatch leaves empty below the last it uses (a pipeline layout has no holes). */
function gapsOf(c: CompiledKernel, groups: FixedGroups): PlannedDispatch['gaps'] {
  if (!c.gapLayout) return null;
  const used = [true, c.scalarLayout !== null, c.errorLayout !== null, c.dimsLayout !== null];
  const last = used.lastIndexOf(true);
  return { groups: used.flatMap((u, i) => (!u && i < last ? [i] : [])), bindGroup: groups.empty(c.gapLayout) };
}

/**
 * Compiles `roots`' graph into a plan; `kernels` are the compiled kernels of its schedule.
 * Scalar blocks are laid out one after another at `alignment` (the device's uniform offset alignment).
 */
function buildPlan(sig: GraphSignature, kernels: readonly Kernel[], buffers: BufferPlan, compiled: readonly (CompiledKernel | null)[], alignment: number, groups: FixedGroups): ExecutionPlan {
  const scalarIndex = new Map(sig.scalars.map((n, i) => [n, i]));
  let scalarBytes = 0;
  const blockOf = (c: CompiledKernel): ScalarBlockRef | null => {
    if (!c.scalarLayout) return null;
    const slots = c.scalars.map((n) => {
      const i = scalarIndex.get(n);
      if (i === undefined) throw new Error(`plan: kernel scalar ${n.id} (${n.op.kind}) is not a runtime scalar of the graph`);
      return i;
    });
    const offsetBytes = Math.ceil(scalarBytes / alignment) * alignment;
    const bytes = scalarBlockBytes(slots.length);
    scalarBytes = offsetBytes + bytes;
    return { layout: c.scalarLayout, slots, offsetBytes, bytes };
  };
  const planned = kernels.flatMap((k, i): PlannedKernel[] => {
    const refs = buffers.refs[i];
    const c = compiled[i];
    if (sizeOf(k.root.shape) === 0) return [];
    if (k.kind === 'copy') return [{ kind: 'copies', refs, copies: k.copies.map(({ input, from, to, count }) => ({ input, fromBytes: from * 4, toBytes: to * 4, bytes: count * 4 })) }];
    if (!c) throw new Error('plan: a kernel was not compiled');
    const dims = c.dims && c.dimsLayout ? groups.dims(c.dimsLayout, c.dims) : null;
    return [{ kind: 'dispatch', pipeline: c.pipeline, layout: c.layout, workgroups: c.workgroups, refs, scalars: blockOf(c), errorLayout: c.errorLayout, dims, gaps: gapsOf(c, groups) }];
  });
  const { roots: rootRefs, outputs, boundLeaves, memory } = buffers;
  return { kernels: planned, roots: rootRefs, outputs, boundLeaves, memory, scalarBytes };
}

/** A realize's buffers, bound when it is issued: what its submit (now or deferred) encodes with. */
interface BoundRun {
  readonly leaves: readonly GPUBufferBinding[];
  readonly outBuffers: readonly GPUBufferBinding[];
  readonly slots: readonly GPUBuffer[];
  readonly temps: readonly GPUBuffer[];
  readonly copies: readonly { from: GPUBuffer; to: GPUBufferBinding; bytes: number }[];
  /** Every runtime scalar of the graph, one word each in the signature's order, read when issued. */
  readonly scalarWords: Uint32Array;
  /** The storages of the roots, in order. */
  readonly result: Storage[];
}

/** Counts a realize's submit (one when it runs any kernel) and its dispatches in the stats. */
function countIssued(kernels: number, dispatches: number): void {
  if (kernels === 0) return;
  stats.submits++;
  stats.dispatches += dispatches;
}

/** Compiles, caches and runs plans for one device. */
export class Planner {
  private readonly cache = new PlanCache<ExecutionPlan>();
  private readonly compiling = new Map<string, Promise<ExecutionPlan>>();
  /** Dims bind groups by their words: written once, shared by every plan with those sizes. */
  private readonly dimsGroups = new Map<string, GPUBindGroup>();
  private readonly groups: FixedGroups = {
    dims: (layout, words) => {
      const key = words.join(',');
      let group = this.dimsGroups.get(key);
      if (!group) {
        const buffer = dimsBuffer(this.device, words);
        stats.bytesUploaded += buffer.size;
        group = this.device.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer } }] });
        this.dimsGroups.set(key, group);
      }
      return group;
    },
    empty: (layout) => this.device.createBindGroup({ layout, entries: [] }),
  };
  /** The plan the latest realize ran (for memory reports and tests). */
  last: ExecutionPlan | null = null;
  /**
   * Whether a synchronous realize of a new graph compiles its pipelines asynchronously, all at
   * once, and submits when they are ready (see the header). On where pipelines compile in parallel.
   */
  deferCompile = false;
  /**
   * Whether a plan compiled asynchronously first runs its kernels' quick-to-compile variants
   * (GpuLaunch.quick) and, once its first run is done, compiles the fast ones in the background
   * and swaps them in: for devices where compiling costs far more than the first runs lose.
   */
  tieredCompile = false;
  /** A plan's swap to its fast variants, started once the plan has been submitted. */
  private readonly upgrades = new WeakMap<ExecutionPlan, () => Promise<void>>();
  /** The swaps under way. */
  private readonly upgrading = new Set<Promise<void>>();
  /** What a failed swap threw (its plan keeps the quick variants), thrown once by `upgraded`. */
  private upgradeFailure: unknown = null;

  constructor(
    private readonly device: GPUDevice,
    private readonly pool: BufferPool,
    private readonly storages: GpuStorages,
    private readonly compiler: KernelCompiler,
    /** The device's error-flag buffer (see WebGpuBackend.read), for kernels that report bad input. */
    private readonly errorFlags: () => GPUBuffer,
  ) {}

  /** Computes `roots` with their graph's plan (compiling it on a miss); returns their storages. */
  execute(roots: readonly LazyNode[], compiledFor?: string): Storage[] {
    const sig = graphSignature(roots);
    let plan = this.cache.get(sig.key);
    if (plan && sig.key !== compiledFor) stats.planCacheHits++;
    else stats.planCacheMisses++;
    if (!plan && this.deferCompile) return this.executeDeferred(roots, sig);
    if (!plan) {
      const kernels = this.compiler.schedule(roots);
      const compiled = kernels.map((k) => (k.kind === 'copy' ? null : this.compiler.compileKernel(k)));
      const buffers = planBuffers(roots, sig, kernels, kernels.map((k, i) => compiled[i]?.bindings ?? kernelBindings(k)), gpuBytes, sizeClass);
      plan = buildPlan(sig, kernels, buffers, compiled, this.uniformAlignment, this.groups);
      this.cache.set(sig.key, plan);
    }
    return this.run(plan, sig, roots);
  }

  /**
   * As `execute`, but a missing plan's pipelines compile with createComputePipelineAsync,
   * so the first realize of a graph does not block the thread on shader compilation.
   */
  async executeAsync(roots: readonly LazyNode[], beforeRun?: () => void): Promise<Storage[]> {
    const { key } = graphSignature(roots);
    if (this.cache.has(key)) return this.execute(roots);
    await this.prepare(roots);
    beforeRun?.();
    // The graph may have changed while compiling (another realize); execute re-keys it.
    return this.execute(roots, key);
  }

  /** Compiles and caches the plan of `roots` without running it (for warm-up). */
  async prepare(roots: readonly LazyNode[]): Promise<void> {
    const sig = graphSignature(roots);
    if (this.cache.has(sig.key)) return;
    await (this.compiling.get(sig.key) ?? this.compileAsync(sig, this.scheduled(roots, sig)));
  }

  /** The schedule of `roots` and its buffer plan, made now: both read the graph, which a realize then changes. */
  private scheduled(roots: readonly LazyNode[], sig: GraphSignature): { kernels: Kernel[]; buffers: BufferPlan } {
    const kernels = this.compiler.schedule(roots);
    return { kernels, buffers: planBuffers(roots, sig, kernels, kernels.map(kernelBindings), gpuBytes, sizeClass) };
  }

  /**
   * The plan of a schedule with every pipeline created asynchronously (one compile per key at a
   * time), cached once built. Kernels are lowered now, before the graph changes.
   */
  private compileAsync(sig: GraphSignature, { kernels, buffers }: { kernels: readonly Kernel[]; buffers: BufferPlan }): Promise<ExecutionPlan> {
    let pending = this.compiling.get(sig.key);
    if (!pending) {
      const tiers = kernels.map((k): TieredKernel | null => {
        if (k.kind === 'copy') return null;
        return this.tieredCompile ? this.compiler.compileKernelTiered(k) : { first: this.compiler.compileKernelAsync(k), faster: null };
      });
      pending = Promise.all(tiers.map((t) => t?.first ?? null))
        .then((compiled) => {
          const build = (c: readonly (CompiledKernel | null)[]) => buildPlan(sig, kernels, buffers, c, this.uniformAlignment, this.groups);
          const plan = build(compiled);
          this.cache.set(sig.key, plan);
          if (tiers.some((t) => t?.faster)) {
            this.upgrades.set(plan, async () => {
              const faster = await Promise.all(tiers.map((t, i) => t?.faster?.() ?? compiled[i]));
              // Swapped only where the quick plan is still the one cached (not evicted or replaced).
              if (this.cache.peek(sig.key) === plan) this.cache.set(sig.key, build(faster));
            });
          }
          return plan;
        })
        .finally(() => this.compiling.delete(sig.key));
      this.compiling.set(sig.key, pending);
    }
    return pending;
  }

  /** Resolves once every swap to fast variants under way has happened (for tests); throws what a failed one threw. */
  async upgraded(): Promise<void> {
    while (this.upgrading.size > 0) await Promise.all(this.upgrading);
    if (this.upgradeFailure !== null) {
      const e = this.upgradeFailure;
      this.upgradeFailure = null;
      throw e;
    }
  }

  /**
   * Starts `plan`'s swap to its fast variants, if it has one, once the device has done the work
   * submitted so far and no other plan is still compiling.
   */
  private startUpgrade(plan: ExecutionPlan): void {
    const upgrade = this.upgrades.get(plan);
    if (!upgrade) return;
    this.upgrades.delete(plan);
    const done: Promise<void> = this.quiet()
      .then(upgrade)
      .catch((e: unknown) => {
        this.upgradeFailure ??= e;
      })
      .finally(() => this.upgrading.delete(done));
    this.upgrading.add(done);
  }

  /**
   * Resolves once the device has run what was submitted and no plan is compiling: a swap's
   * compiles then take no CPU from a first run (SwiftShader runs on the same cores). A training
   * step's later realizes (the optimizer's update after the backward pass) compile while its
   * first plan runs; their first runs come before any swap.
   */
  private async quiet(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    while (this.compiling.size > 0) {
      await Promise.allSettled([...this.compiling.values()]);
      await this.device.queue.onSubmittedWorkDone();
    }
  }

  /**
   * A realize of a graph with no plan yet, issued now and submitted once its pipelines compiled:
   * its buffers are bound (and its outputs allocated) at once, from the buffer plan, which does
   * not depend on the pipelines; every later submit, release and readback waits behind it.
   */
  private executeDeferred(roots: readonly LazyNode[], sig: GraphSignature): Storage[] {
    const s = this.scheduled(roots, sig);
    const bound = this.bind(s.buffers, sig, roots);
    // Counted when issued, as a synchronous realize counts them: the kernels buildPlan keeps.
    const kept = s.kernels.filter((k) => sizeOf(k.root.shape) > 0);
    countIssued(kept.length, kept.filter((k) => k.kind !== 'copy').length);
    this.pool.gate.after(this.compileAsync(sig, s), (plan) => this.submit(plan, bound));
    return bound.result;
  }

  private get uniformAlignment(): number {
    return this.device.limits.minUniformBufferOffsetAlignment;
  }

  /** This run's runtime scalars, written into a pooled uniform buffer with one writeBuffer; null when the plan reads none. */
  private uploadScalars(plan: ExecutionPlan, all: Uint32Array): GPUBuffer | null {
    if (plan.scalarBytes === 0) return null;
    const words = new Uint32Array(plan.scalarBytes / 4);
    for (const k of plan.kernels) {
      if (k.kind === 'dispatch' && k.scalars) k.scalars.slots.forEach((slot, j) => (words[k.scalars!.offsetBytes / 4 + j] = all[slot]));
    }
    const buffer = this.pool.acquire(plan.scalarBytes, UNIFORM_USAGE);
    this.device.queue.writeBuffer(buffer, 0, words);
    return buffer;
  }

  private run(plan: ExecutionPlan, sig: GraphSignature, roots: readonly LazyNode[]): Storage[] {
    const bound = this.bind(plan, sig, roots);
    countIssued(plan.kernels.length, plan.kernels.filter((k) => k.kind === 'dispatch').length);
    this.pool.gate.run(() => this.submit(plan, bound));
    return bound.result;
  }

  /** Binds a realize's buffers: input leaves, its outputs (allocated now), the plan's slots. */
  private bind(plan: Omit<BufferPlan, 'refs'>, sig: GraphSignature, roots: readonly LazyNode[]): BoundRun {
    const leaves: GPUBufferBinding[] = [];
    for (const i of plan.boundLeaves) {
      const n = sig.leaves[i];
      if (n.op.kind !== 'buffer') throw new Error('plan: a leaf is not a buffer node');
      leaves[i] = this.storages.binding(n.op.storage);
    }
    const outBuffers: GPUBufferBinding[] = [];
    const temps: GPUBuffer[] = [];
    const copies: { from: GPUBuffer; to: GPUBufferBinding; bytes: number }[] = [];
    const outputs = plan.outputs.map((o) => {
      if (o.write !== 'fresh') {
        const target = roots[o.root].target!;
        const targetBinding = this.storages.binding(target);
        if (o.write === 'direct') {
          outBuffers.push(targetBinding);
          return target;
        }
        const bytes = gpuBytes(o.size);
        const temp = this.pool.acquire(bytes, STORAGE_USAGE);
        temps.push(temp);
        outBuffers.push({ buffer: temp });
        if (o.size > 0) copies.push({ from: temp, to: targetBinding, bytes });
        return target;
      }
      const s = new Storage(o.dtype, o.size);
      if (o.size === 0) s.host = allocHost(o.dtype, 0);
      outBuffers.push({ buffer: this.storages.allocate(s) });
      return s;
    });
    const slots = plan.memory.slotBytes.map((bytes) => this.pool.acquire(bytes, STORAGE_USAGE));
    const scalarWords = new Uint32Array(sig.scalars.length);
    encodeScalars(sig.scalars, scalarWords, 0);
    const result = plan.roots.map((r) => {
      if (r.from === 'output') return outputs[r.index];
      const n = sig.leaves[r.index];
      if (n.op.kind !== 'buffer') throw new Error('plan: a root leaf is not a buffer node');
      return n.op.storage;
    });
    return { leaves, outBuffers, slots, temps, copies, scalarWords, result };
  }

  /** Encodes every kernel of `plan` on `bound`'s buffers and submits once; the buffers of the run go back to the pool. */
  private submit(plan: ExecutionPlan, bound: BoundRun): void {
    const { leaves, outBuffers, slots, temps, copies } = bound;
    const bufferOf = (r: BufferRef): GPUBufferBinding =>
      r.from === 'leaf' ? leaves[r.index] : r.from === 'slot' ? { buffer: slots[r.index] } : outBuffers[r.index];

    const scalarBuffer = this.uploadScalars(plan, bound.scalarWords);
    if (plan.kernels.length > 0) {
      const encoder = this.device.createCommandEncoder();
      let pass: GPUComputePassEncoder | null = null;
      for (const k of plan.kernels) {
        if (k.kind === 'copies') {
          // Copies are encoder commands: the compute pass so far ends, ordering them after it.
          pass?.end();
          pass = null;
          const to = bufferOf(k.refs[k.refs.length - 1]);
          for (const c of k.copies) {
            const from = bufferOf(k.refs[c.input]);
            encoder.copyBufferToBuffer(from.buffer, (from.offset ?? 0) + c.fromBytes, to.buffer, (to.offset ?? 0) + c.toBytes, c.bytes);
          }
          continue;
        }
        pass ??= encoder.beginComputePass();
        const entries = k.refs.map((r, binding) => ({ binding, resource: bufferOf(r) }));
        pass.setPipeline(k.pipeline);
        pass.setBindGroup(0, this.device.createBindGroup({ layout: k.layout, entries }));
        if (k.scalars) {
          const resource = { buffer: scalarBuffer!, offset: k.scalars.offsetBytes, size: k.scalars.bytes };
          pass.setBindGroup(1, this.device.createBindGroup({ layout: k.scalars.layout, entries: [{ binding: 0, resource }] }));
        }
        for (const g of k.gaps?.groups ?? []) pass.setBindGroup(g, k.gaps!.bindGroup);
        if (k.errorLayout) pass.setBindGroup(2, this.device.createBindGroup({ layout: k.errorLayout, entries: [{ binding: 0, resource: { buffer: this.errorFlags() } }] }));
        if (k.dims) pass.setBindGroup(3, k.dims);
        pass.dispatchWorkgroups(...k.workgroups);
      }
      pass?.end();
      for (const c of copies) encoder.copyBufferToBuffer(c.from, 0, c.to.buffer, c.to.offset ?? 0, c.bytes);
      this.device.queue.submit([encoder.finish()]);
    }
    // Slots go back to the pool now: later submissions are ordered after this one.
    for (const b of slots) this.pool.release(b);
    for (const t of temps) this.pool.release(t);
    if (scalarBuffer) this.pool.release(scalarBuffer);
    this.last = plan;
    this.startUpgrade(plan);
  }
}
