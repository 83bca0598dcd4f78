// Execution plans of the CPU backend, as src/backend/webgpu/plan.ts for the GPU. Compiling (once
// per graph structure, src/graph/plan-cache.ts) schedules the graph, generates one JavaScript
// loop per fused kernel (./codegen.ts) and, where it takes the kernel, a WebAssembly SIMD form
// (./wasm/fused-wasm.ts), and plans the buffers (src/graph/plan.ts). Running binds this realize's
// arrays: leaves' host arrays, arrays for the plan's slots, the roots' storages.

import { allocHost, type DType, type TypedArray } from '../../dtype';
import { DisposedError } from '../../errors';
import { Storage, type LazyNode } from '../../graph/ir';
import { planBuffers, type BufferRef, type Output } from '../../graph/plan';
import { graphSignature, PlanCache, type GraphSignature } from '../../graph/plan-cache';
import { runtimeScalar } from '../../graph/scalars';
import { kernelBindings, kernelOutputs, schedule, type CopyKernel, type FusedKernel, type Kernel } from '../../graph/schedule';
import { sizeOf } from '../../shape';
import { stats } from '../backend';
import { generateJs, type JsKernel } from './codegen';
import { cpuFeatures } from './fast-kernels';
import { simdSupported } from './wasm/features';
import { wasmLoop, WASM_MIN_ELEMENTS, type WasmLoop } from './wasm/fused-runner';
import { fusedWasm } from './wasm/fused-wasm';

/** A generated loop and where its runtime numbers come from (indices into the graph's scalars). */
interface CompiledLoop {
  readonly run: JsKernel;
  readonly scalarSlots: readonly number[];
  /** The same kernel as WebAssembly SIMD, where ./wasm/fused-wasm.ts takes it and it is large enough to pay. */
  readonly wasm: { readonly loop: WasmLoop; readonly scalarSlots: readonly number[] } | null;
}

/** One pass of a plan: a generated loop, a hand-written kernel (with its generated epilogue), or range copies. */
type PlannedKernel =
  | { readonly kind: 'fused'; readonly loop: CompiledLoop; readonly inputs: readonly BufferRef[]; readonly outputs: readonly PlannedOutput[] }
  | { readonly kind: 'copy'; readonly inputs: readonly BufferRef[]; readonly output: PlannedOutput; readonly copies: CopyKernel['copies'] }
  | {
      readonly kind: 'custom';
      /** The kernel node's canonical position in the graph (the node of this run is looked up there). */
      readonly node: number;
      readonly inputs: readonly BufferRef[];
      readonly output: PlannedOutput;
      /** The fused chain on the kernel's value, reading it as its first input. */
      readonly epilogue: { readonly loop: CompiledLoop; readonly inputs: readonly BufferRef[] } | null;
    };

interface PlannedOutput {
  readonly ref: BufferRef;
  readonly dtype: DType;
  readonly size: number;
}

/** A compiled plan: what a cache hit reuses. Holds no arrays between runs. */
export interface CpuPlan {
  readonly kernels: readonly PlannedKernel[];
  readonly roots: readonly BufferRef[];
  readonly outputs: readonly Output[];
  readonly slotBytes: readonly number[];
  /** Whether a pass runs a hand-written kernel (its node is then looked up by position). */
  readonly hasCustom: boolean;
  /** Per output: a hand-written kernel's own array becomes it (no array is allocated for it up front). */
  readonly kernelArray: readonly boolean[];
}

/** Runs a hand-written kernel node on its contiguous inputs. */
export type KernelRunner = (node: LazyNode, inputs: readonly TypedArray[]) => TypedArray;

/** Elements of any dtype fit 4 bytes, so a slot of 4 bytes per element holds any of them. */
const bytesOf = (elements: number) => 4 * elements;

/** Generates the loop of `k` reading `inputs`, its scalars located in the graph's. */
function compileLoop(k: FusedKernel, inputs: readonly LazyNode[], scalarIndex: ReadonlyMap<LazyNode, number>): CompiledLoop {
  const gen = generateJs(k, inputs);
  const slotsOf = (scalars: readonly LazyNode[]) =>
    scalars.map((n) => {
      const i = scalarIndex.get(n);
      if (i === undefined) throw new Error(`cpu plan: kernel scalar ${n.id} (${n.op.kind}) is not a runtime scalar of the graph`);
      return i;
    });
  // A reduce's work is its source's elements.
  const elements = sizeOf(k.reduce ? k.reduce.srcs[0].shape : k.root.shape);
  const w = elements >= WASM_MIN_ELEMENTS && simdSupported() ? fusedWasm(k, inputs) : null;
  return { run: gen.run, scalarSlots: slotsOf(gen.scalars), wasm: w && { loop: wasmLoop(w), scalarSlots: slotsOf(w.scalars) } };
}

/** Runs `loop`: its WebAssembly form where there is one and the fast kernels are on (not `usePlainKernels`), else (or until it compiles) its JS loop. */
function runLoop(loop: CompiledLoop, ins: readonly TypedArray[], outs: readonly TypedArray[], scalars: (slots: readonly number[]) => number[]): void {
  if (loop.wasm && cpuFeatures().simd && loop.wasm.loop.run(ins, outs, scalars(loop.wasm.scalarSlots))) return;
  loop.run(ins, outs, scalars(loop.scalarSlots));
}

/**
 * The plan of `roots`. An assigned root goes straight into its target only where the schedule
 * allows it and no hand-written kernel runs after it: such a kernel may throw (gather's index
 * check), and a failed realize must leave every storage as it was, as the reference's does.
 */
function buildPlan(roots: readonly LazyNode[], sig: GraphSignature, kernels: readonly Kernel[]): CpuPlan {
  // Generated kernels read every input from its own array (no in-place aliases): only direct
  // writes share memory with an input, and those read each position before writing it.
  const bindings = kernels.map((k) => (k.kind === 'fused' ? [...k.inputs, ...k.outputs] : kernelBindings(k)));
  const buffers = planBuffers(roots, sig, kernels, bindings, bytesOf, (bytes) => bytes);
  const lastCustom = kernels.reduce((last, k, i) => (k.kind === 'custom' ? i : last), -1);
  const writerOf = new Map<LazyNode, number>();
  kernels.forEach((k, i) => kernelOutputs(k).forEach((o) => writerOf.set(o, i)));
  const outputs = buffers.outputs.map((o): Output => (o.write === 'direct' && writerOf.get(roots[o.root])! < lastCustom ? { ...o, write: 'copy' } : o));
  const scalarIndex = new Map(sig.scalars.map((n, i) => [n, i]));
  const planned = kernels.map((k, i): PlannedKernel => {
    const refs = buffers.refs[i];
    if (k.kind === 'fused') {
      const n = k.inputs.length;
      const outs = k.outputs.map((o, j) => ({ ref: refs[n + j], dtype: o.dtype, size: sizeOf(o.shape) }));
      return { kind: 'fused', loop: compileLoop(k, k.inputs, scalarIndex), inputs: refs.slice(0, n), outputs: outs };
    }
    if (k.kind === 'copy') {
      const n = k.inputs.length;
      return { kind: 'copy', inputs: refs.slice(0, n), output: { ref: refs[n], dtype: k.root.dtype, size: sizeOf(k.root.shape) }, copies: k.copies };
    }
    const n = k.node.srcs.length;
    const output = { ref: refs[n], dtype: k.root.dtype, size: sizeOf(k.root.shape) };
    const epilogue = k.epilogue ? { loop: compileLoop(k.epilogue, [k.node, ...k.epilogue.inputs], scalarIndex), inputs: refs.slice(n + 1) } : null;
    return { kind: 'custom', node: sig.index.get(k.node)!, inputs: refs.slice(0, n), output, epilogue };
  });
  const kernelArray = outputs.map(() => false);
  for (const k of planned) if (k.kind === 'custom' && !k.epilogue && k.output.ref.from === 'output' && outputs[k.output.ref.index].write === 'fresh') kernelArray[k.output.ref.index] = true;
  return { kernels: planned, roots: buffers.roots, outputs, slotBytes: buffers.memory.slotBytes, hasCustom: lastCustom >= 0, kernelArray };
}

/** The placeholder of an output array a hand-written kernel has not returned yet. */
const EMPTY = new Uint8Array(0);

/** A typed array of `dtype` over the first `size` elements of `buffer`. */
function viewOf(buffer: ArrayBuffer, dtype: DType, size: number): TypedArray {
  if (dtype === 'float32') return new Float32Array(buffer, 0, size);
  if (dtype === 'int32') return new Int32Array(buffer, 0, size);
  return new Uint8Array(buffer, 0, size);
}

/** Compiles, caches and runs the CPU backend's plans. */
export class CpuPlanner {
  private readonly cache = new PlanCache<CpuPlan>();
  /** The plan the latest realize ran (for tests). */
  last: CpuPlan | null = null;

  constructor(
    private readonly runKernel: KernelRunner,
    /** Arrays one pass may read and write: none by default (a loop has no binding limit), a device's in tests. */
    private readonly maxBuffers = Infinity,
  ) {}

  /** The kernels of `roots`' schedule: the WebGPU backend's, under this planner's binding limit. */
  schedule(roots: readonly LazyNode[]): Kernel[] {
    return schedule(roots, { maxBuffers: this.maxBuffers });
  }

  /** Computes `roots` with their graph's plan (compiling it on a miss); returns their storages. */
  execute(roots: readonly LazyNode[]): Storage[] {
    const sig = graphSignature(roots);
    let plan = this.cache.get(sig.key);
    if (plan) stats.planCacheHits++;
    else {
      stats.planCacheMisses++;
      plan = this.compile(roots, sig);
    }
    this.last = plan;
    return this.run(plan, sig, roots);
  }

  /** Compiles and caches the plan of `roots` without running it (for warm-up). */
  prepare(roots: readonly LazyNode[]): void {
    const sig = graphSignature(roots);
    if (!this.cache.has(sig.key)) this.compile(roots, sig);
  }

  private compile(roots: readonly LazyNode[], sig: GraphSignature): CpuPlan {
    const plan = buildPlan(roots, sig, this.schedule(roots));
    this.cache.set(sig.key, plan);
    return plan;
  }

  private run(plan: CpuPlan, sig: GraphSignature, roots: readonly LazyNode[]): Storage[] {
    const leaves = sig.leaves.map((n) => {
      if (n.op.kind !== 'buffer') throw new Error('cpu plan: a leaf is not a buffer node');
      if (n.op.storage.released) throw new DisposedError(`realize: the graph reads a disposed [${n.shape.join(',')}] ${n.dtype} tensor`);
      if (!n.op.storage.host) throw new Error('cpu: a storage has no host copy (was it moved from another backend?)');
      return n.op.storage.host;
    });
    const storages: Storage[] = [];
    const fresh: Storage[] = [];
    const outArrays = plan.outputs.map((o, i) => {
      if (o.write === 'fresh') {
        const s = new Storage(o.dtype, o.size);
        storages.push(s);
        fresh.push(s);
        // A hand-written kernel's output takes the array it returns: nothing reads it before.
        if (plan.kernelArray[i]) return EMPTY;
        return (s.host = allocHost(o.dtype, o.size));
      }
      const target = roots[o.root].target!;
      if (!target.host) throw new Error('cpu: an assigned storage has no host copy (was it moved from another backend?)');
      storages.push(target);
      return o.write === 'direct' ? target.host : allocHost(o.dtype, o.size);
    });
    const slotBuffers: (ArrayBuffer | undefined)[] = [];
    const slotValues: TypedArray[] = [];
    const read = (r: BufferRef): TypedArray => (r.from === 'leaf' ? leaves[r.index] : r.from === 'slot' ? slotValues[r.index] : outArrays[r.index]);
    const destination = (o: PlannedOutput): TypedArray => {
      if (o.ref.from === 'output') return outArrays[o.ref.index];
      const slot = o.ref.index;
      const buffer = (slotBuffers[slot] ??= new ArrayBuffer(plan.slotBytes[slot]));
      return (slotValues[slot] = viewOf(buffer, o.dtype, o.size));
    };
    const scalarsOf = (slots: readonly number[]) => slots.map((i) => runtimeScalar(sig.scalars[i])!);
    const nodes = plan.hasCustom ? [...sig.index.keys()] : [];

    try {
      for (const k of plan.kernels) {
        if (k.kind === 'fused') {
          const outs = k.outputs.map(destination);
          runLoop(k.loop, k.inputs.map(read), outs, scalarsOf);
          continue;
        }
        if (k.kind === 'copy') {
          const out = destination(k.output);
          for (const c of k.copies) out.set(read(k.inputs[c.input]).subarray(c.from, c.from + c.count), c.to);
          continue;
        }
        const inputs = k.inputs.map(read);
        let value = this.runKernel(nodes[k.node], inputs);
        // A kernel that hands back memory it was given (an input, a leaf) would let a later write reach it.
        if (inputs.some((a) => a.buffer === value.buffer) || leaves.some((a) => a.buffer === value.buffer)) value = value.slice();
        if (k.epilogue) {
          const out = destination(k.output);
          runLoop(k.epilogue.loop, [value, ...k.epilogue.inputs.map(read)], [out], scalarsOf);
        } else if (k.output.ref.from === 'slot') {
          slotValues[k.output.ref.index] = value;
        } else {
          const i = k.output.ref.index;
          if (plan.outputs[i].write === 'fresh') storages[i].host = outArrays[i] = value;
          else outArrays[i].set(value);
        }
      }
    } catch (e) {
      // A failed realize keeps nothing: the storages it made are let go, as if never made.
      for (const st of fresh) st.release();
      throw e;
    }
    stats.dispatches += plan.kernels.length;
    // Assigned roots written through a copy land after every kernel has read the old contents.
    plan.outputs.forEach((o, i) => {
      if (o.write === 'copy') storages[i].host!.set(outArrays[i]);
    });
    return plan.roots.map((r) => {
      if (r.from === 'output') return storages[r.index];
      const n = sig.leaves[r.index];
      if (n.op.kind !== 'buffer') throw new Error('cpu plan: a root leaf is not a buffer node');
      return n.op.storage;
    });
  }
}
