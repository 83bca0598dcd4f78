// Tensor: a handle on a LazyNode plus autograd bookkeeping and readback (the only place that
// waits for the device). Its op methods are installed by src/ops/methods.ts, so this module
// imports no op: every op module imports it, never the other way round.

import { allocHost, type DType, type TypedArray } from './dtype';
import { ArgumentError, DisposedError, ShapeError } from './errors';
import { LazyNode, topoSort, type Storage } from './graph/ir';
import { realize, realizeForRead, realizeWithNext as realizeWithNextNode } from './graph/realize';
import { ensureInit, activeBackend } from './runtime';
import { sameShape, shapeStr, sizeOf, type Shape } from './shape';
import { fullNode } from './ops/node-builders';
import type { TensorMethods } from './ops/methods';
import { escapesScope, trackTensor, untrackTensor, type NodeCell } from './lifetime';

export type TensorLike = Tensor | number;

/** How a tensor was computed, for backward: its inputs and the vector-Jacobian product. */
export interface GradFn {
  readonly inputs: readonly Tensor[];
  /** Gradients for each input given the output's gradient `g` (null: none flows). */
  readonly vjp: (g: Tensor, out: Tensor) => (Tensor | null)[];
}

let gradEnabled = true;

/** Gradients `backward()` made for a leaf: the leaf owns them (see `Tensor.grad`). */
const ownedGrads = new WeakSet<Tensor>();

/** @internal Marks `g` as a gradient its leaf owns: released when the leaf replaces or drops it. */
export function ownGrad(g: Tensor): Tensor {
  ownedGrads.add(g);
  return g;
}

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

/** Runs `fn` without recording gradients (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` recording gradients even inside `noGrad` (used by `wg.grad`). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}


export { liveTensors } from './lifetime';

/**
 * Wraps a node as a tensor; records `vjp` when an input requires gradients and the result is
 * float32 (int and bool results, like comparisons or argmax, carry no gradient).
 */
export function makeTensor(node: LazyNode, inputs: readonly Tensor[] = [], vjp?: GradFn['vjp']): Tensor {
  const t = new Tensor(node);
  if (vjp && gradEnabled && node.dtype === 'float32' && inputs.some((x) => x.requiresGrad)) {
    t.requiresGrad = true;
    t.gradFn = { inputs, vjp };
  }
  return t;
}

/** The op methods (`add`, `sum`, `reshape`, …), installed on the class by src/ops/methods.ts. */
export interface Tensor extends TensorMethods {}

/**
 * An n-dimensional array. Ops build a lazy graph; `await t.data()` computes what is needed.
 *
 * ```ts
 * const y = wg.tensor([[1, 2], [3, 4]]).add(1).mul(2).relu();
 * console.log(await y.array()); // [[4, 6], [8, 10]]
 * ```
 */
export class Tensor {
  readonly shape: Shape;
  readonly dtype: DType;
  requiresGrad = false;
  /** @internal How this tensor was computed, when it requires gradients. */
  gradFn: GradFn | null = null;
  private leafGrad: Tensor | null = null;
  disposed = false;

  private readonly cell: NodeCell;

  /** @internal Use the creation functions (`wg.tensor`, `wg.zeros`, …). */
  constructor(node: LazyNode) {
    this.shape = node.shape;
    this.dtype = node.dtype;
    node.hold();
    this.cell = { node };
    trackTensor(this, this.cell);
  }

  /** @internal The lazy node this tensor holds (src/lifetime.ts explains holding). */
  get node(): LazyNode {
    return this.cell.node;
  }
  /** @internal Points this tensor at `node` (same shape and dtype): a move into an arena. */
  rebind(node: LazyNode): void {
    if (node.dtype !== this.dtype || !sameShape(node.shape, this.shape)) throw new Error('rebind: shape or dtype differs');
    node.hold();
    const old = this.cell.node;
    this.cell.node = node;
    old.unhold();
  }

  /**
   * In-place update: this tensor keeps its identity and its buffer and takes `value`'s contents
   * (same shape and dtype; a number fills it). Lazy like every op: the write happens at the next
   * realize, into the existing buffer, after every kernel of that realize that reads the old
   * contents. A lazy graph built from the old contents and realized later throws
   * StaleTensorError. Records no gradient; a leaf stays a leaf.
   *
   * ```ts
   * const w = wg.zeros([3]);
   * w.assign(w.add(1)); // w's buffer now holds [1, 1, 1] once realized
   * ```
   */
  assign(value: TensorLike): this {
    Tensor.check(this, 'assign');
    const v = typeof value === 'number' ? new Tensor(fullNode(this.shape, value, this.dtype)) : Tensor.check(value, 'assign');
    if (v.dtype !== this.dtype || !sameShape(v.shape, this.shape)) {
      throw new ShapeError(`assign: a ${shapeStr(this.shape)} ${this.dtype} tensor cannot take a ${shapeStr(v.shape)} ${v.dtype} value (same shape and dtype expected; cast or broadcastTo first)`);
    }
    const current = this.cell.node;
    const storage = current.op.kind === 'buffer' ? current.op.storage : current.target;
    // An identity view: the assigned value gets a node of its own, so the tensor that holds
    // `value` is not turned into this tensor's buffer.
    const next = new LazyNode({ kind: 'view', view: { kind: 'reshape' } }, [v.node], this.shape, this.dtype);
    next.target = storage;
    next.hold();
    this.cell.node = next;
    current.unhold();
    return this;
  }

  get size(): number {
    return sizeOf(this.shape);
  }
  get rank(): number {
    return this.shape.length;
  }

  /** @internal Throws unless `x` is a live tensor; returns it. */
  static check(x: unknown, op: string): Tensor {
    if (!(x instanceof Tensor)) throw new ArgumentError(`${op}: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
    if (x.disposed) throw new DisposedError(`${op}: the tensor of shape ${shapeStr(x.shape)} was disposed`);
    return x;
  }

  // ---- readback -------------------------------------------------------------------------

  /** The values as a typed array (Float32Array, Int32Array, or Uint8Array for bool). */
  async data(): Promise<TypedArray> {
    Tensor.check(this, 'data');
    const backend = await ensureInit();
    if (this.size === 0) return allocHost(this.dtype, 0);
    await realizeForRead(backend, [this.node]);
    Tensor.check(this, 'data');
    const op = this.node.op;
    if (op.kind !== 'buffer') throw new Error('data: realize left a lazy node');
    return backend.read(op.storage);
  }

  /** The values as nested arrays (numbers; booleans for bool). */
  async array(): Promise<unknown> {
    Tensor.check(this, 'array');
    const flat = Array.from(await this.data(), (v) => (this.dtype === 'bool' ? v !== 0 : v));
    if (this.rank === 0) return flat[0];
    const nest = (axis: number, offset: number): unknown[] => {
      const stride = sizeOf(this.shape.slice(axis + 1));
      return Array.from({ length: this.shape[axis] }, (_, i) =>
        axis === this.rank - 1 ? flat[offset + i] : nest(axis + 1, offset + i * stride),
      );
    };
    return nest(0, 0);
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    Tensor.check(this, 'item');
    if (this.size !== 1) throw new ShapeError(`item: needs a tensor of one element, got shape ${shapeStr(this.shape)}`);
    return (await this.data())[0];
  }

  async print(): Promise<void> {
    Tensor.check(this, 'print');
    console.log(`Tensor ${shapeStr(this.shape)} ${this.dtype}\n${JSON.stringify(await this.array())}`);
  }

  /**
   * Lets go of the tensor: its device memory is freed now, unless a live lazy graph still reads
   * it (then when that graph is realized or dropped). Using it afterwards throws DisposedError.
   * Work already submitted that reads it still sees its values.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // A leaf's gradient goes with it.
    if (this.leafGrad && ownedGrads.has(this.leafGrad) && !escapesScope(this.leafGrad)) this.leafGrad.dispose();
    this.leafGrad = null;
    this.gradFn = null;
    untrackTensor(this);
    this.cell.node.unhold();
  }

  // ---- autograd -------------------------------------------------------------------------

  /** A tensor with the same values that does not track gradients. */
  detach(): Tensor {
    Tensor.check(this, 'detach');
    return new Tensor(this.node);
  }

  /**
   * The gradient accumulated into this leaf by `backward()` (lazy, like any tensor), or null.
   * Only leaves hold gradients: reading it on a computed tensor throws, where PyTorch warns.
   * The leaf owns the gradients `backward()` makes: they survive `tidy`, and are disposed when
   * the leaf is, when a later `backward()` replaces them, or when `grad` is set to null (so a
   * loop that never disposes anything does not grow). Read a gradient before dropping it.
   */
  get grad(): Tensor | null {
    if (this.gradFn) {
      throw new ArgumentError(
        `grad: this ${shapeStr(this.shape)} tensor is not a leaf (it was computed from other tensors); only leaves created with requiresGrad accumulate .grad — use wg.grad(f) for gradients with respect to computed values`,
      );
    }
    return this.leafGrad;
  }
  set grad(g: Tensor | null) {
    const before = this.leafGrad;
    if (g !== null) {
      Tensor.check(g, 'grad');
      if (this.gradFn) throw new ArgumentError(`grad: cannot assign .grad of a ${shapeStr(this.shape)} tensor that is not a leaf`);
      if (g.shape.length !== this.rank || g.shape.some((d, i) => d !== this.shape[i])) {
        throw new ShapeError(`grad: assigned gradient has shape ${shapeStr(g.shape)}, expected the tensor's shape ${shapeStr(this.shape)}`);
      }
    }
    this.leafGrad = g;
    // A gradient backward() made is released as soon as the leaf lets go of it (replaced or set
    // to null); a graph that already reads it keeps what it needs.
    if (before && before !== g && ownedGrads.has(before)) before.dispose();
  }

  /** Marks this leaf as requiring gradients. */
  requiresGrad_(flag = true): this {
    Tensor.check(this, 'requiresGrad_');
    if (typeof flag !== 'boolean') throw new ArgumentError(`requiresGrad_: flag must be a boolean, got ${JSON.stringify(flag)}`);
    if (flag && this.dtype !== 'float32') throw new ArgumentError(`requiresGrad_: only float32 tensors can require gradients, got ${this.dtype}`);
    if (!flag && this.gradFn) throw new ArgumentError(`requiresGrad_: a computed ${shapeStr(this.shape)} tensor keeps requiring gradients; use detach() for a copy that does not`);
    this.requiresGrad = flag;
    return this;
  }

  toString(): string {
    return `Tensor(${shapeStr(this.shape)}, ${this.dtype})`;
  }
}

/** @internal Computes `t` in the next realize's plan (see src/graph/realize.ts). */
export function realizeWithNext(t: Tensor): void {
  realizeWithNextNode(t.node);
}

/**
 * @internal Computes `nodes` on the active backend now; each becomes a buffer node in place.
 * `rideAlong: false` leaves the tensors waiting to ride along for the next realize.
 */
export function realizeNodes(nodes: readonly LazyNode[], opts: { rideAlong?: boolean } = {}): void {
  realize(activeBackend(), nodes, opts);
}

/** The storages a tensor's graph reads (for moving data between backends). */
export function storagesOf(t: Tensor): Storage[] {
  return topoSort([t.node]).flatMap((n) => (n.op.kind === 'buffer' ? [n.op.storage] : []));
}
