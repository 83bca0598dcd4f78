// The WebGPU backend: schedules the graph into kernels and lowers them to pipelines, which
// execution plans (./plan.ts) cache per graph structure and run with one submit per realize.
// Readback goes through pooled staging buffers. Kernel variants come from the adapter's
// calibration (./calibrate.ts), which measures in the background on first use.

import { allocHost, type TypedArray } from '../../dtype';
import { storageType } from '../../graph/launch';
import { describeOp, LazyNode, Storage, type GpuTarget } from '../../graph/ir';
import { kernelBindings, kernelOutputs, schedule, type Kernel } from '../../graph/schedule';
import { stats, type Backend } from '../backend';
import { ArgumentError, DeviceLostError } from '../../errors';
import { layoutEntries, reflectKernel, SCALAR_LAYOUT_ENTRIES, ERROR_LAYOUT_ENTRIES, DIMS_LAYOUT_ENTRIES, type KernelBindings } from './bindings';
import { BufferPool, MAP_MODE_READ, STAGING_USAGE } from './buffer-pool';
import { GpuBuffer, GpuStorages } from './gpu-storage';
import { KernelCalibration, type CalibrationSettings } from './calibrate';
import { calibrationFamilies } from './calibration-families';
import { gpuTarget, lowerKernel, type Launch } from './lower';
import { Planner, type CompiledKernel, type KernelCompiler, type TieredKernel } from './plan';

interface CachedPipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** The layout of group 1, when the kernel reads runtime scalars. */
  scalarLayout: GPUBindGroupLayout | null;
  /** The layout of group 2, when the kernel reports bad input through the error flags. */
  errorLayout: GPUBindGroupLayout | null;
  /** The layout of group 3, when the kernel reads its sizes at run time (GpuLaunch.dims). */
  dimsLayout: GPUBindGroupLayout | null;
  /** The words of its dims struct (0: none). */
  dimsWords: number;
  /** An empty group's layout, for the groups below the last one the kernel uses that it leaves empty. */
  gapLayout: GPUBindGroupLayout | null;
  bindings: number;
}

const ERROR_FLAG_BYTES = 16;
// GPUBufferUsage's flags, spelled out: Node has no GPUBufferUsage global before init.
const GPUBufferUsage_COPY_SRC = 0x4;
const GPUBufferUsage_COPY_DST = 0x8;
const GPUBufferUsage_STORAGE = 0x80;

/** The error a kernel reported through the error flags (see `errorFlags`). */
function deviceReportedError(words: Int32Array): Error {
  if (words[0] === 1) {
    return new ArgumentError(
      `gather: index ${words[1]} is out of range for an axis of size ${words[2]} (expected 0 ≤ index < ${words[2]}); the indices were computed on the device, so this is found when a value is read, and values computed from that gather are not valid`,
    );
  }
  return new Error(`webgpu: a kernel reported error code ${words[0]} (a webgrad bug)`);
}

export class WebGpuBackend implements Backend, KernelCompiler {
  readonly name = 'webgpu' as const;
  readonly pool: BufferPool;
  readonly plans: Planner;
  private readonly pipelines = new Map<string, CachedPipeline>();
  private readonly pendingPipelines = new Map<string, Promise<CachedPipeline>>();
  /**
   * Shader modules and reflected bindings by WGSL text (and entry point): hand-written kernels
   * share one text across shapes (their sizes are pipeline constants or runtime dims).
   */
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly reflected = new Map<string, KernelBindings>();
  private readonly target: GpuTarget;
  /** Which kernel variants this adapter runs fastest, measured on first use of each shape class. */
  readonly calibration: KernelCalibration;

  /**
   * `architecture` is the adapter's (`GPUAdapterInfo.architecture`); kernels pick variants by it
   * until `calibration` (by default: measuring nothing, storing nothing) has measured them.
   */
  constructor(
    readonly device: GPUDevice,
    architecture = '',
    calibration: CalibrationSettings = { adapterKey: architecture, store: null, background: false },
  ) {
    this.pool = new BufferPool(device);
    this.calibration = new KernelCalibration(device, calibrationFamilies(gpuTarget(architecture)), calibration);
    // Plans cached before a calibration lands keep the default they were built with.
    this.target = gpuTarget(architecture, (family, shapeClass) => this.calibration.variant(family, shapeClass));
    this.plans = new Planner(device, this.pool, new GpuStorages(device, this.pool), this, () => this.errorFlagsBuffer());
    // Browsers (Chromium's GPU process) compile createComputePipelineAsync's pipelines on worker
    // threads in parallel; Dawn in Node does not, so there a new graph compiles synchronously.
    this.plans.deferCompile = typeof document !== 'undefined';
    // SwiftShader compiles each pipeline to CPU code in hundreds of milliseconds (its wide tiles:
    // half a second and more), so where pipelines compile in the background a new plan first runs
    // the quicker variants (a small matmul tile for every matmul, direct kernels for conv tiles) and swaps in the fast ones once they are
    // built; a real GPU compiles in milliseconds and skips it.
    this.plans.tieredCompile = this.plans.deferCompile && architecture === 'swiftshader';
  }

  private get maxBuffers(): number {
    return this.device.limits.maxStorageBuffersPerShaderStage;
  }

  execute(roots: readonly LazyNode[]): Storage[] {
    stats.realizes++;
    return this.plans.execute(roots);
  }

  /** As `execute`; a graph seen for the first time compiles its pipelines asynchronously. */
  executeAsync(roots: readonly LazyNode[], beforeRun?: () => void): Promise<Storage[]> {
    stats.realizes++;
    return this.plans.executeAsync(roots, beforeRun);
  }

  /**
   * Compiles the plan of `roots` ahead of time, without running it, once the calibrations in
   * flight have finished, those of the shape classes its kernels use included (lowering them asks,
   * which starts any not yet measured), so the plan runs the measured variants.
   */
  async prepare(roots: readonly LazyNode[]): Promise<void> {
    for (const k of this.schedule(roots)) if (k.kind !== 'copy') lowerKernel(k, this.target);
    await this.calibration.settled();
    return this.plans.prepare(roots);
  }

  schedule(roots: readonly LazyNode[]): Kernel[] {
    return schedule(roots, { maxBuffers: this.maxBuffers });
  }

  /** Lowers one kernel and finds or builds its pipeline. */
  compileKernel(k: Kernel): CompiledKernel {
    const launch = lowerKernel(k, this.target);
    return this.checked(kernelBindings(k), launch, this.pipelines.get(launch.pipelineKey) ?? this.pipeline(launch, false));
  }

  /** As `compileKernel`, building a missing pipeline with createComputePipelineAsync. */
  compileKernelAsync(k: Kernel): Promise<CompiledKernel> {
    // Lowered and bound now: a realize may change the graph while the pipeline compiles.
    return this.compiledAsync(kernelBindings(k), lowerKernel(k, this.target));
  }

  /**
   * As `compileKernelAsync`, but a launch offering a quicker-to-compile variant whose own pipeline
   * is not built yet compiles that first; `faster` then compiles its own, on demand.
   */
  compileKernelTiered(k: Kernel): TieredKernel {
    const launch = lowerKernel(k, this.target);
    const bindings = kernelBindings(k);
    if (!launch.quick || this.pipelines.has(launch.pipelineKey)) return { first: this.compiledAsync(bindings, launch), faster: null };
    return { first: this.compiledAsync(bindings, launch.quick), faster: () => this.compiledAsync(bindings, launch) };
  }

  private async compiledAsync(bindings: readonly LazyNode[], launch: Launch): Promise<CompiledKernel> {
    let p = this.pipelines.get(launch.pipelineKey) ?? this.pendingPipelines.get(launch.pipelineKey);
    if (!p) {
      p = this.pipeline(launch, true);
      this.pendingPipelines.set(launch.pipelineKey, p);
      p.finally(() => this.pendingPipelines.delete(launch.pipelineKey)).catch(() => undefined);
    }
    return this.checked(bindings, launch, await p);
  }

  private checked(bindings: readonly LazyNode[], launch: Launch, p: CachedPipeline): CompiledKernel {
    if (p.bindings !== bindings.length) throw new Error(`webgpu: ${launch.entryPoint} declares ${p.bindings} bindings, the kernel binds ${bindings.length}`);
    if ((p.scalarLayout !== null) !== launch.scalars.length > 0) throw new Error(`webgpu: ${launch.entryPoint} and its launch disagree on the scalar block`);
    if (p.dimsWords !== (launch.dims?.length ?? 0)) throw new Error(`webgpu: ${launch.entryPoint} reads ${p.dimsWords} words of dims, its launch gives ${launch.dims?.length ?? 0}`);
    const { pipeline, layout, scalarLayout, errorLayout, dimsLayout, gapLayout } = p;
    return { pipeline, layout, workgroups: launch.workgroups, bindings, scalars: launch.scalars, scalarLayout, errorLayout, dims: launch.dims ?? null, dimsLayout, gapLayout };
  }

  /** Builds the pipeline of a launch and its bind group layout, from the WGSL's reflected bindings. */
  private pipeline(l: Launch, async: false): CachedPipeline;
  private pipeline(l: Launch, async: true): Promise<CachedPipeline>;
  private pipeline(l: Launch, async: boolean): CachedPipeline | Promise<CachedPipeline> {
    const reflectKey = `${l.entryPoint}|${l.code}`;
    let reflected = this.reflected.get(reflectKey);
    if (!reflected) this.reflected.set(reflectKey, (reflected = reflectKernel(l.code, l.entryPoint)));
    const { storage: bindings, scalarBlock, errorFlags, dims } = reflected;
    if (bindings.some((b, i) => b.binding !== i)) throw new Error(`webgpu: ${l.entryPoint} has gaps in its bindings (${bindings.map((b) => b.binding).join(',')})`);
    const layout = this.device.createBindGroupLayout({ entries: layoutEntries(bindings) });
    const scalarLayout = scalarBlock ? this.device.createBindGroupLayout({ entries: SCALAR_LAYOUT_ENTRIES }) : null;
    const errorLayout = errorFlags ? this.device.createBindGroupLayout({ entries: ERROR_LAYOUT_ENTRIES }) : null;
    const dimsLayout = dims ? this.device.createBindGroupLayout({ entries: DIMS_LAYOUT_ENTRIES }) : null;
    // A pipeline layout has no holes: the groups below the last one used and left empty get an empty layout.
    const used = [layout, scalarLayout, errorLayout, dimsLayout];
    const last = used.reduce((at, g, i) => (g ? i : at), 0);
    const gapLayout = used.slice(0, last).includes(null) ? this.device.createBindGroupLayout({ entries: [] }) : null;
    const groups = used.slice(0, last + 1).map((g) => g ?? gapLayout!);
    let module = this.modules.get(l.code);
    if (!module) this.modules.set(l.code, (module = this.device.createShaderModule({ code: l.code })));
    const descriptor: GPUComputePipelineDescriptor = {
      layout: this.device.createPipelineLayout({ bindGroupLayouts: groups }),
      compute: { module, entryPoint: l.entryPoint, constants: l.constants },
    };
    const remember = (pipeline: GPUComputePipeline): CachedPipeline => {
      const p = { pipeline, layout, scalarLayout, errorLayout, dimsLayout, dimsWords: dims, gapLayout, bindings: bindings.length };
      this.pipelines.set(l.pipelineKey, p);
      stats.pipelinesCreated++;
      return p;
    };
    return async ? this.device.createComputePipelineAsync(descriptor).then(remember) : remember(this.device.createComputePipeline(descriptor));
  }

  memory(): { liveBytes: number; pooledBytes: number; peakBytes: number } {
    const { liveBytes, pooledBytes, peakBytes } = this.pool;
    return { liveBytes, pooledBytes, peakBytes };
  }

  /**
   * Where kernels report bad input found on the device (gather's out-of-range indices): word 0
   * is the op's code (0: none), words 1–2 its details. Read and cleared with every readback.
   */
  private errorFlags: GPUBuffer | null = null;

  private errorFlagsBuffer(): GPUBuffer {
    return (this.errorFlags ??= this.device.createBuffer({ size: ERROR_FLAG_BYTES, usage: GPUBufferUsage_STORAGE | GPUBufferUsage_COPY_SRC | GPUBufferUsage_COPY_DST }));
  }

  async read(storage: Storage): Promise<TypedArray> {
    // A realize still waiting for its pipelines runs first (and throws here if it failed).
    await this.pool.gate.idle();
    if (storage.size === 0) return allocHost(storage.dtype, 0);
    if (!(storage.device instanceof GpuBuffer)) {
      if (storage.host) return storage.host.slice();
      throw new Error('webgpu: storage has no data');
    }
    const bytes = storage.size * 4;
    const flags = this.errorFlags;
    // The flags follow the values at an offset getMappedRange accepts (a multiple of 8).
    const flagsAt = Math.ceil(bytes / 8) * 8;
    const mapped = flags ? flagsAt + ERROR_FLAG_BYTES : bytes;
    const staging = this.pool.acquire(mapped, STAGING_USAGE);
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(storage.device.buffer, storage.offset * 4, staging, 0, bytes);
    if (flags) encoder.copyBufferToBuffer(flags, 0, staging, flagsAt, ERROR_FLAG_BYTES);
    this.device.queue.submit([encoder.finish()]);
    stats.submits++;
    try {
      try {
        await staging.mapAsync(MAP_MODE_READ, 0, mapped);
      } catch (e) {
        // mapAsync of a valid staging buffer fails only when the device is gone.
        throw new DeviceLostError(`data: reading a ${storage.dtype} tensor of ${storage.size} elements failed: the WebGPU device was lost (${(e as Error).message || (e as Error).name})`);
      }
      const raw = staging.getMappedRange(0, bytes).slice(0);
      const reported = flags ? new Int32Array(staging.getMappedRange(flagsAt, ERROR_FLAG_BYTES).slice(0)) : null;
      staging.unmap();
      if (reported && reported[0] !== 0) {
        this.device.queue.writeBuffer(flags!, 0, new Uint32Array(ERROR_FLAG_BYTES / 4));
        throw deviceReportedError(reported);
      }
      stats.bytesRead += bytes;
      if (storage.dtype === 'float32') return new Float32Array(raw);
      if (storage.dtype === 'int32') return new Int32Array(raw);
      return Uint8Array.from(new Uint32Array(raw));
    } finally {
      this.pool.release(staging);
    }
  }

  async download(storage: Storage): Promise<void> {
    // An arena range moves with its base.
    if (storage.base) return this.download(storage.base);
    const device = storage.device;
    if (!(device instanceof GpuBuffer)) return;
    const host = await this.read(storage);
    // The storage may have been released (its tensor collected) while the read was in flight.
    if (storage.device !== device) return;
    storage.host = host;
    device.release();
    storage.device = null;
  }

  explain(roots: readonly LazyNode[]): string[] {
    const kernels = schedule(roots, { maxBuffers: this.maxBuffers });
    const names = new Map<LazyNode, string>();
    let t = 0;
    const name = (n: LazyNode) => {
      if (!names.has(n)) names.set(n, n.op.kind === 'buffer' ? `b${n.id}` : `t${t++}`);
      return names.get(n)!;
    };
    return kernels.map((k, i) => {
      const what =
        k.kind === 'fused'
          ? `fused[${k.ops.filter((n) => !isConstant(n)).map(describeOp).join(' ')}]`
          : k.kind === 'copy'
            ? `copies[${k.copies.length} ranges]`
            : `${describeOp(k.node)}${k.epilogue ? `+epilogue[${k.epilogue.ops.filter((n) => n !== k.node && !isConstant(n)).map(describeOp).join(' ')}]` : ''}`;
      const reads = k.inputs.map(name).join(',') || '-';
      const writes = kernelOutputs(k).map((o) => `${name(o)} [${o.shape.join(',')}] ${storageType(o.dtype)}${o.target ? ' (in place)' : ''}`);
      return `k${i} ${what} reads ${reads} writes ${writes.join(', ')}`;
    });
  }
}

/** A constant or a view of one: noise in explain(), since it costs no memory traffic. */
function isConstant(n: LazyNode): boolean {
  while (n.op.kind === 'view') n = n.srcs[0];
  return n.op.kind === 'const';
}
