// The lazy graph: LazyNode and the op definitions nodes point at. Ops build nodes and do no
// work; realize (src/graph/realize.ts) hands the graph to a backend. Backends reach an op's
// CPU kernel and GPU lowering through `node.op.def`, so they never import src/ops.

import type { DType, TypedArray } from '../dtype';
import type { Shape } from '../shape';

/**
 * Where a realized tensor's values live. The host array is the CPU backend's buffer; `device`
 * is a backend's handle (a GPUBuffer for WebGPU). Either may be missing until it is needed.
 * A storage may be a range of another (`base`, from element `offset`): an arena, where one kernel
 * updates many tensors at once; such a view shares the base's memory, version and lifetime.
 */
export class Storage {
  /** Bytes of host arrays held by storages not yet released (the CPU backend's memory). */
  static liveHostBytes = 0;
  private ownHost: TypedArray | null = null;
  private ownDevice: DeviceBuffer | null = null;
  private ownVersion = 0;
  private isReleased = false;
  /**
   * Held buffer nodes on this storage, plus lazy `assign` nodes waiting to write it (see
   * LazyNode.retain): the storage is released when the last one lets go.
   */
  private holders = 0;
  constructor(
    readonly dtype: DType,
    readonly size: number,
    /** The storage this one is a range of, or null. */
    readonly base: Storage | null = null,
    /** The first element of the range in `base`. */
    readonly offset = 0,
  ) {
    if (base) {
      if (base.base) throw new Error('Storage: a view of a view');
      if (offset < 0 || offset + size > base.size) throw new Error(`Storage: range ${offset}+${size} outside a storage of ${base.size}`);
      base.hold();
    }
  }

  /** The host array (a view's is a subarray of the base's). */
  get host(): TypedArray | null {
    if (!this.base) return this.ownHost;
    return this.base.host?.subarray(this.offset, this.offset + this.size) ?? null;
  }
  set host(h: TypedArray | null) {
    if (this.base) throw new Error('Storage: a view takes its host array from its base');
    Storage.liveHostBytes += (h?.byteLength ?? 0) - (this.ownHost?.byteLength ?? 0);
    this.ownHost = h;
  }

  /** The device buffer (a view's is its base's; backends bind it at the view's offset). */
  get device(): DeviceBuffer | null {
    return this.base ? this.base.device : this.ownDevice;
  }
  set device(d: DeviceBuffer | null) {
    if (this.base) throw new Error('Storage: a view takes its device buffer from its base');
    this.ownDevice = d;
  }

  /** Set once the last holder let go (see LazyNode.release): reading it is a use after dispose. */
  get released(): boolean {
    return this.isReleased || (this.base?.released ?? false);
  }

  /**
   * Bumped each time `assign` overwrites the contents in place (a view's write bumps its base).
   * A graph edge records the version it was built against (LazyNode.srcVersions), so realize can
   * refuse stale reads.
   */
  get version(): number {
    return this.base ? this.base.version : this.ownVersion;
  }
  set version(v: number) {
    if (this.base) this.base.version = v;
    else this.ownVersion = v;
  }

  /** Whether this storage and `other` share memory: one storage, or overlapping ranges of one base. */
  overlaps(other: Storage): boolean {
    if (this === other) return true;
    if ((this.base ?? this) !== (other.base ?? other)) return false;
    return this.offset < other.offset + other.size && other.offset < this.offset + this.size;
  }

  hold(): void {
    this.holders++;
  }

  /** Lets go of one holder; the last one releases the storage. */
  drop(): void {
    if (--this.holders <= 0) this.release();
  }

  /** Gives the device buffer back to its pool and drops the host copy (a view lets go of its base). */
  release(): void {
    if (this.isReleased) return;
    this.isReleased = true;
    if (this.base) {
      this.base.drop();
      return;
    }
    this.ownDevice?.release();
    this.ownDevice = null;
    this.host = null;
  }
}

/** A backend-owned buffer. `release` returns it to its pool. */
export interface DeviceBuffer {
  readonly backend: string;
  readonly bytes: number;
  release(): void;
}

/**
 * Movement ops: each is index arithmetic from an output position to a source position. A concat
 * is the one view with several sources: source k fills the k-th range of `axis`.
 */
export type ViewOp =
  | { kind: 'reshape' }
  | { kind: 'permute'; perm: readonly number[] }
  | { kind: 'expand' }
  | { kind: 'shrink'; begin: readonly number[] }
  | { kind: 'pad'; before: readonly number[] }
  | { kind: 'concat'; axis: number };

export type ReduceName = 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin';

/** Describes the dtypes an elementwise kernel sees, for code generation. */
export interface ElementwiseTypes {
  readonly in: readonly DType[];
  readonly out: DType;
  readonly param: number;
}

/** One row of the elementwise table: its CPU function and its WGSL expression. */
export interface ElementwiseDef {
  readonly name: string;
  readonly arity: 1 | 2 | 3;
  /** Reads `param`: WGSL gets it (a runtime scalar, src/graph/scalars.ts) as the argument after the sources. */
  readonly usesParam?: boolean;
  /**
   * A counter-based random draw (src/ops/threefry.ts): gets its own flat element index as the
   * last argument (WGSL: a u32), and its WGSL calls shaders/lib/threefry.wgsl.
   */
  readonly random?: boolean;
  cpu(args: number[], types: ElementwiseTypes): number;
  wgsl(args: string[], types: ElementwiseTypes): string;
}

/**
 * How a hand-written kernel runs on WebGPU: WGSL source, entry point, `override` constants (what
 * changes the code), runtime dims (sizes, so that shapes share a pipeline) and grid. Bindings
 * (group 0) are the node's inputs in order (0…n-1), then its output (n), then the inputs of a
 * fused epilogue (n+1…), which the backend splices into the code. The backend builds the bind
 * group layout from the final WGSL with wgsl_reflect.
 */
export interface GpuLaunch {
  readonly code: string;
  readonly entryPoint: string;
  readonly constants?: Readonly<Record<string, number>>;
  readonly workgroups: readonly [number, number, number];
  /**
   * Sizes read at run time instead of compiled in, so launches of different sizes share one
   * pipeline: the u32 words of the shader's `@group(3) @binding(0) var<uniform> wg_dims` struct,
   * in field order, written once when a plan is built (nothing is uploaded per run).
   */
  readonly dims?: readonly number[];
  /**
   * A launch of the same product that compiles much faster (a smaller tile), which a plan may run
   * until this one's pipeline is ready (tiered compilation, src/backend/webgpu/plan.ts).
   */
  readonly quick?: GpuLaunch;
  /**
   * Sizes the shader reads at run time (from its dims), as i32 WGSL expressions with their values
   * here: a fused epilogue's index math reads them in place of equal literals (the first match),
   * so launches of different sizes with the same epilogue share one pipeline.
   */
  readonly epilogueSizes?: readonly RuntimeSize[];
}

/** A size a shader holds at run time: its value for this launch and the WGSL (i32) reading it. */
export interface RuntimeSize {
  readonly value: number;
  readonly wgsl: string;
}

/** What a kernel's GPU lowering may ask about the device it runs on (to pick a variant). */
export interface GpuTarget {
  /** `GPUAdapterInfo.architecture`: 'swiftshader' for the CPU emulation. */
  readonly architecture: string;
  /**
   * Whether workgroup-memory tiling pays on this device: true on real GPUs; false on
   * SwiftShader, where barriers are expensive and register tiling wins.
   */
  readonly sharedMemoryTiles: boolean;
  /**
   * The variant of kernel `family` measured fastest on this adapter for shapes of `shapeClass`
   * (src/backend/webgpu/calibrate.ts), or undefined: the kernel's own default.
   */
  variant(family: string, shapeClass: string): string | undefined;
}

/** A hand-written kernel (matmul, conv, pool, gather…): inputs are contiguous buffers. */
export interface KernelDef<A = unknown> {
  readonly name: string;
  /**
   * Opt-in to fused epilogues: the shader has an `//!EPILOGUE_BEGIN` … `//!EPILOGUE_END` block
   * defining `fn epilogue(v: f32, idx: u32) -> f32` (identity) and passes every float32 output
   * value through it (idx = flat output index) before storing. Elementwise chains on the
   * kernel's output (bias, activation, scaling, residual add) then run inside the kernel.
   */
  readonly epilogue?: boolean;
  cpu(inputs: readonly TypedArray[], node: LazyNode & { op: { attrs: A } }): TypedArray;
  gpu(node: LazyNode & { op: { attrs: A } }, target: GpuTarget): GpuLaunch;
}

export type NodeOp =
  /** `version`: the storage's version when this node took it (see LazyNode.srcVersions). */
  | { kind: 'buffer'; storage: Storage; version: number }
  | { kind: 'const'; value: number }
  | { kind: 'view'; view: ViewOp }
  | { kind: 'elementwise'; def: ElementwiseDef; param: number }
  | { kind: 'reduce'; reduce: ReduceName; axes: readonly number[] }
  | { kind: 'kernel'; def: KernelDef; attrs: unknown };

let nextId = 0;

/**
 * One value in the lazy graph. Reduce nodes keep reduced axes with size 1; ops reshape
 * them away. Const nodes are scalars (shape []) and reach other shapes through views.
 * Realizing a node turns it into a buffer node in place, so every graph that shares it
 * reads the result instead of recomputing it, and its sources can be collected.
 *
 * Lifetime rule: a node is held by the live tensors on it and by the held lazy nodes that read
 * it (`refs`). Holding a node holds its sources; realizing it lets them go. When the last
 * holder lets go, a buffer node frees its storage and a lazy node lets its sources go. So
 * disposing a tensor frees its buffer at once unless a live lazy graph still reads it, in
 * which case the buffer lives until that graph is realized or dropped. Nodes no tensor ever
 * held (temporaries inside ops) hold nothing.
 */
export class LazyNode {
  readonly id = nextId++;
  /** Holders: live tensors on this node plus held lazy nodes that read it. */
  refs = 0;
  /**
   * For each source that was a buffer node when this node was built, the storage version it
   * read (-1 for other sources); null when no source was a buffer. A source realized later is
   * checked by its own `version` instead. Realize compares both with the storage's version.
   */
  srcVersions: readonly number[] | null;
  /**
   * Set by `assign`: realizing this node writes its value into this existing storage (the
   * assigned tensor keeps its buffer) instead of a fresh one.
   */
  target: Storage | null = null;
  /**
   * Live tensors on this node (a part of `refs`). A readback realize keeps the value of a node a
   * tensor holds when its kernels write it anyway (src/graph/realize.ts).
   */
  handles = 0;
  constructor(
    public op: NodeOp,
    public srcs: readonly LazyNode[],
    readonly shape: Shape,
    readonly dtype: DType,
  ) {
    this.srcVersions = srcs.some((s) => s.op.kind === 'buffer') ? srcs.map((s) => (s.op.kind === 'buffer' ? s.op.storage.version : -1)) : null;
  }

  /** Turns this node into a buffer node holding `storage`; a held node lets its sources go. */
  becomeBuffer(storage: Storage): void {
    const old = this.srcs;
    const target = this.target;
    this.op = { kind: 'buffer', storage, version: storage.version };
    this.srcs = [];
    this.srcVersions = null;
    this.target = null;
    if (this.refs > 0) {
      // A held node holds its storage; an assign node's hold on its target moves to the buffer.
      storage.hold();
      target?.drop();
      for (const s of old) s.release();
    }
  }

  /**
   * Adds a holder. The first one holds the sources in turn, a buffer node's storage, or an
   * assign node's target (so the assigned tensor's buffer outlives its old node).
   */
  retain(): void {
    const stack: LazyNode[] = [this];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.refs++ !== 0) continue;
      if (n.op.kind === 'buffer') n.op.storage.hold();
      else {
        n.target?.hold();
        for (const s of n.srcs) stack.push(s);
      }
    }
  }

  /** A tensor takes this node: retain, counted as a handle. */
  hold(): void {
    this.handles++;
    this.retain();
  }

  /** A tensor lets go of this node. */
  unhold(): void {
    this.handles--;
    this.release();
  }

  /** Drops a holder. The last one lets go of what `retain` held. */
  release(): void {
    const stack: LazyNode[] = [this];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.refs <= 0 || --n.refs > 0) continue;
      if (n.op.kind === 'buffer') n.op.storage.drop();
      else {
        n.target?.drop();
        for (const s of n.srcs) stack.push(s);
      }
    }
  }
}

export function bufferNode(storage: Storage, shape: Shape): LazyNode {
  return new LazyNode({ kind: 'buffer', storage, version: storage.version }, [], shape, storage.dtype);
}

export function constNode(value: number, dtype: DType): LazyNode {
  return new LazyNode({ kind: 'const', value }, [], [], dtype);
}

/**
 * The first edge of `order` that reads overwritten contents: a source buffer whose storage
 * `assign` has written since the edge was built. Returns the reader and the stale source.
 */
export function findStaleRead(order: readonly LazyNode[]): { reader: LazyNode; source: LazyNode } | null {
  for (const n of order) {
    for (let i = 0; i < n.srcs.length; i++) {
      const s = n.srcs[i];
      if (s.op.kind !== 'buffer') continue;
      const built = n.srcVersions?.[i] ?? -1;
      if ((built >= 0 ? built : s.op.version) !== s.op.storage.version) return { reader: n, source: s };
    }
  }
  return null;
}

/** Every node reachable from `roots`, sources before users. */
export function topoSort(roots: readonly LazyNode[]): LazyNode[] {
  const order: LazyNode[] = [];
  const seen = new Set<LazyNode>();
  const stack: [LazyNode, number][] = roots.map((r) => [r, 0]);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [node, i] = top;
    if (i === 0 && seen.has(node)) {
      stack.pop();
      continue;
    }
    if (i < node.srcs.length) {
      top[1]++;
      const src = node.srcs[i];
      if (!seen.has(src)) stack.push([src, 0]);
      continue;
    }
    stack.pop();
    if (!seen.has(node)) {
      seen.add(node);
      order.push(node);
    }
  }
  return order;
}

/** A short name of what a node computes, for explain(). */
export function describeOp(n: LazyNode): string {
  const op = n.op;
  switch (op.kind) {
    case 'buffer':
      return 'buffer';
    case 'const':
      return `const(${op.value})`;
    case 'view':
      return op.view.kind;
    case 'elementwise':
      return op.def.name;
    case 'reduce':
      return `${op.reduce}(axes ${op.axes.join(',')})`;
    case 'kernel':
      return op.def.name;
  }
}
