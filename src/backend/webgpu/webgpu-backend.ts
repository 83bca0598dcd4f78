// The WebGPU backend: schedules the graph into kernels, generates or looks up their pipelines,
// encodes every dispatch of one realize in one command encoder and submits once. Readback
// goes through pooled staging buffers.

import { allocHost, type TypedArray } from '../../dtype';
import { generateFused, storageType } from '../../graph/codegen';
import { describeOp, LazyNode, Storage, type DeviceBuffer } from '../../graph/ir';
import { schedule, type Kernel } from '../../graph/schedule';
import { sizeOf } from '../../shape';
import { stats, type Backend } from '../backend';
import { BufferPool, MAP_MODE_READ, STAGING_USAGE, STORAGE_USAGE } from './buffer-pool';

class GpuBuffer implements DeviceBuffer {
  readonly backend = 'webgpu';
  private released = false;
  constructor(
    readonly buffer: GPUBuffer,
    readonly bytes: number,
    private readonly pool: BufferPool,
  ) {}
  release(): void {
    if (this.released) return;
    this.released = true;
    this.pool.release(this.buffer);
  }
}

/** Bytes a storage of `dtype` takes on the GPU (bool is 4-byte u32). */
function gpuBytes(size: number): number {
  return Math.max(4, size * 4);
}

interface Launch {
  pipelineKey: string;
  code: string;
  entryPoint: string;
  constants?: Readonly<Record<string, number>>;
  workgroups: readonly [number, number, number];
}

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu' as const;
  readonly pool: BufferPool;
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(readonly device: GPUDevice) {
    this.pool = new BufferPool(device);
  }

  private get maxBuffers(): number {
    return this.device.limits.maxStorageBuffersPerShaderStage;
  }

  execute(roots: readonly LazyNode[]): Storage[] {
    stats.realizes++;
    const kernels = schedule(roots, { maxBuffers: this.maxBuffers });
    const results = new Map<LazyNode, Storage>();
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    let dispatched = 0;
    for (const k of kernels) {
      const size = sizeOf(k.root.shape);
      const storage = new Storage(k.root.dtype, size);
      results.set(k.root, storage);
      if (size === 0) {
        storage.host = allocHost(k.root.dtype, 0);
        continue;
      }
      const out = this.allocate(storage);
      const inputs = k.inputs.map((n) => this.deviceBuffer(n.op.kind === 'buffer' ? n.op.storage : results.get(n)!));
      const launch = this.lower(k);
      const pipeline = this.pipeline(launch);
      const entries = [...inputs, out].map((buffer, binding) => ({ binding, resource: { buffer } }));
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
      pass.dispatchWorkgroups(...launch.workgroups);
      dispatched++;
    }
    pass.end();
    if (dispatched > 0) {
      this.device.queue.submit([encoder.finish()]);
      stats.submits++;
      stats.dispatches += dispatched;
    }
    // Intermediates go back to the pool now: later submissions are ordered after this one.
    const wanted = new Set(roots);
    for (const [node, storage] of results) if (!wanted.has(node)) storage.device?.release();
    return roots.map((r) => (r.op.kind === 'buffer' ? r.op.storage : results.get(r)!));
  }

  private lower(k: Kernel): Launch {
    if (k.kind === 'fused') {
      const g = generateFused(k);
      return { pipelineKey: g.code, code: g.code, entryPoint: 'main', workgroups: g.workgroups };
    }
    if (k.root.op.kind !== 'kernel') throw new Error('webgpu: custom kernel without a kernel op');
    const launch = k.root.op.def.gpu(k.root as LazyNode & { op: { attrs: unknown } });
    return { ...launch, pipelineKey: `${launch.entryPoint}|${JSON.stringify(launch.constants ?? {})}|${launch.code}` };
  }

  private pipeline(l: Launch): GPUComputePipeline {
    let p = this.pipelines.get(l.pipelineKey);
    if (!p) {
      const module = this.device.createShaderModule({ code: l.code });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: l.entryPoint, constants: l.constants } });
      this.pipelines.set(l.pipelineKey, p);
      stats.pipelinesCreated++;
    }
    return p;
  }

  private allocate(storage: Storage): GPUBuffer {
    const bytes = gpuBytes(storage.size);
    const buffer = this.pool.acquire(bytes, STORAGE_USAGE);
    storage.device = new GpuBuffer(buffer, bytes, this.pool);
    return buffer;
  }

  /** The GPU buffer of a storage, uploading its host copy first if it has none. */
  private deviceBuffer(storage: Storage): GPUBuffer {
    if (storage.device instanceof GpuBuffer) return storage.device.buffer;
    if (!storage.host) throw new Error('webgpu: a storage has neither device nor host data');
    const buffer = this.allocate(storage);
    const host = storage.host;
    const data = host instanceof Uint8Array ? Uint32Array.from(host) : host;
    if (data.byteLength > 0) this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    stats.bytesUploaded += data.byteLength;
    return buffer;
  }

  async read(storage: Storage): Promise<TypedArray> {
    if (storage.size === 0) return allocHost(storage.dtype, 0);
    if (!(storage.device instanceof GpuBuffer)) {
      if (storage.host) return storage.host.slice();
      throw new Error('webgpu: storage has no data');
    }
    const bytes = storage.size * 4;
    const staging = this.pool.acquire(bytes, STAGING_USAGE);
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(storage.device.buffer, 0, staging, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    stats.submits++;
    try {
      await staging.mapAsync(MAP_MODE_READ, 0, bytes);
      const raw = staging.getMappedRange(0, bytes).slice(0);
      staging.unmap();
      stats.bytesRead += bytes;
      if (storage.dtype === 'float32') return new Float32Array(raw);
      if (storage.dtype === 'int32') return new Int32Array(raw);
      return Uint8Array.from(new Uint32Array(raw));
    } finally {
      this.pool.release(staging);
    }
  }

  async download(storage: Storage): Promise<void> {
    if (!(storage.device instanceof GpuBuffer)) return;
    storage.host = await this.read(storage);
    storage.device.release();
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
      const what = k.kind === 'fused' ? `fused[${k.ops.map(describeOp).join(' ')}]` : describeOp(k.root);
      const reads = k.inputs.map(name).join(',') || '-';
      return `k${i} ${what} reads ${reads} writes ${name(k.root)} [${k.root.shape.join(',')}] ${storageType(k.root.dtype)}`;
    });
  }
}
