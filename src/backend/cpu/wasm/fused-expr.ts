// Which fused kernels the WebAssembly generator takes, and their lane-wise expression: every value
// read is a region of the kernel's inputs (an input, or a concat/pad/shrink of inputs laid out flat
// in wasm memory) at the element's flat index, its row's, its column's or one for all; a sum, max or
// min over leading or trailing axes is a phase before, whose results the rest reads as a region. Pure.

import type { LazyNode, ViewOp } from '../../../graph/ir';
import { runtimeScalar } from '../../../graph/scalars';
import type { FusedKernel } from '../../../graph/schedule';
import { sizeOf, stridesOf, type Shape } from '../../../shape';

/** A value's lanes: float32 numbers, or bool masks (all ones for true, as SIMD comparisons give them). */
export type LaneType = 'f32' | 'mask';

/** How a load's index follows the element's: the flat index, within its row (`inner`), its row (`outer`) or none. */
export type Access = 'flat' | 'inner' | 'outer' | 'scalar';

/** A range of an input copied into a region: `count` elements from `from` of input `input` to `to` of the region. */
export interface Piece {
  readonly input: number;
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/**
 * A float32 array laid out in wasm memory before the run (zero where no piece covers it; a bool
 * input's bytes become 0 and 1), or a reduce's results (`computed`).
 */
export interface Region {
  readonly size: number;
  readonly pieces: readonly Piece[];
  readonly computed: boolean;
}

/** A lane-wise expression whose reads are `L`: an elementwise row over arguments, a scalar, a constant. */
type ExprOf<L> =
  | L
  | { readonly kind: 'scalar'; readonly type: LaneType; readonly slot: number }
  | { readonly kind: 'const'; readonly type: LaneType; readonly value: number }
  | { readonly kind: 'row'; readonly type: LaneType; readonly row: string; readonly args: readonly ExprOf<L>[] };

/** A read of `region` at the element's index as `access` says. */
export interface Load {
  readonly kind: 'load';
  readonly type: LaneType;
  readonly region: number;
  readonly access: Access;
}

export type Expr = ExprOf<Load>;

/**
 * A kernel's reduce as lanes over its source's `rows` × `columns`: over the rows for each column
 * (`leading` axes reduced), or over the columns of each row; the results fill region `region`.
 */
export interface LaneReduce {
  readonly kind: 'sum' | 'max' | 'min';
  readonly leading: boolean;
  readonly rows: number;
  readonly columns: number;
  readonly value: Expr;
  readonly region: number;
}

/** A fused kernel as lanes: `rows` × `columns` elements in row-major order, one expression per output. */
export interface LaneKernel {
  readonly rows: number;
  readonly columns: number;
  readonly regions: readonly Region[];
  /** The runtime scalars read, in slot order. */
  readonly scalars: readonly LazyNode[];
  readonly outputs: readonly Expr[];
  readonly reduce: LaneReduce | null;
}

/** Rows the generator implements, with the lane types of their arguments (float32 or bool) they take. */
const F32_ROWS = new Set(['neg', 'abs', 'sign', 'sqrt', 'rsqrt', 'floor', 'ceil', 'round', 'square', 'reciprocal', 'relu', 'step', 'add', 'sub', 'mul', 'div', 'maximum', 'minimum']);
const COMPARISONS = new Set(['equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual']);
const LOGICAL = new Set(['logicalNot', 'logicalAnd', 'logicalOr']);

/** Where a node's element index comes from: per axis, the root axis it follows (null: index 0), or the root's flat index. */
type Ctx = { readonly kind: 'axes'; readonly axes: readonly (number | null)[] } | { readonly kind: 'flat' };

/** A load before the split into rows and columns is chosen: the root axes its index follows, in order, or 'flat'. */
interface PendingLoad {
  readonly kind: 'pending';
  readonly region: number;
  readonly type: LaneType;
  readonly follows: readonly number[] | 'flat';
}

type Tree = ExprOf<PendingLoad>;

class Unsupported extends Error {}

const laneType = (n: LazyNode): LaneType => {
  if (n.dtype === 'float32') return 'f32';
  if (n.dtype === 'bool') return 'mask';
  throw new Unsupported();
};

const nonOne = (shape: Shape) => shape.flatMap((d, i) => (d === 1 ? [] : [i]));

/** The regions and scalars of one kernel, shared by the analyses of its reduce's source and of the rest. */
class Pool {
  readonly inputIndex = new Map<LazyNode, number>();
  readonly regions: Region[] = [];
  private readonly regionKeys = new Map<string, number>();
  readonly scalars: LazyNode[] = [];

  constructor(inputs: readonly LazyNode[]) {
    inputs.forEach((n, i) => this.inputIndex.set(n, i));
  }

  region(size: number, pieces: Piece[], computed: boolean): number {
    const key = `${size}:${computed}:${JSON.stringify(pieces)}`;
    let region = this.regionKeys.get(key);
    if (region === undefined) {
      region = this.regions.push({ size, pieces, computed }) - 1;
      this.regionKeys.set(key, region);
    }
    return region;
  }

  scalar(node: LazyNode): number {
    const slot = this.scalars.indexOf(node);
    return slot < 0 ? this.scalars.push(node) - 1 : slot;
  }
}

/** The trees of values at the elements of `root`'s shape; `leaf` (a reduce computed before) is read as a region. */
class LaneAnalysis {
  private readonly memo = new Map<string, Tree>();
  readonly loads: PendingLoad[] = [];
  private readonly rootReal: readonly number[];
  private readonly inputIndex: ReadonlyMap<LazyNode, number>;

  constructor(
    private readonly root: LazyNode,
    private readonly pool: Pool,
    private readonly leaf: { readonly node: LazyNode; readonly region: number } | null,
  ) {
    this.inputIndex = pool.inputIndex;
    this.rootReal = nonOne(root.shape);
  }

  /** The context of an output of `shape`: the root's axes where its real axes are the root's, else the flat index. */
  outputCtx(shape: Shape): Ctx {
    if (sizeOf(shape) !== sizeOf(this.root.shape)) throw new Unsupported();
    return this.normalized(shape, { kind: 'flat' });
  }

  /** The tree of `node` at `ctx`, loads left pending (their access depends on the split). */
  tree(node: LazyNode, ctx: Ctx): Tree {
    ctx = this.normalized(node.shape, ctx);
    const key = `${node.id}|${ctx.kind === 'flat' ? 'flat' : ctx.axes.join(',')}`;
    let e = this.memo.get(key);
    if (!e) this.memo.set(key, (e = this.compute(node, ctx)));
    return e;
  }

  /** A flat context over a shape whose real axes are the root's is the root's axes context (so it can expand). */
  private normalized(shape: Shape, ctx: Ctx): Ctx {
    if (ctx.kind === 'axes') return ctx;
    const real = nonOne(shape);
    if (real.length !== this.rootReal.length || real.some((a, k) => shape[a] !== this.root.shape[this.rootReal[k]])) return ctx;
    const axes = shape.map((): number | null => null);
    real.forEach((a, k) => (axes[a] = this.rootReal[k]));
    return { kind: 'axes', axes };
  }

  /** Whether `ctx` reads the element at the root's flat index (every real root axis, in order). */
  private isFlat(ctx: Ctx): boolean {
    if (ctx.kind === 'flat') return true;
    const follows = ctx.axes.filter((a): a is number => a !== null);
    return follows.length === this.rootReal.length && follows.every((a, k) => a === this.rootReal[k]);
  }

  private compute(node: LazyNode, ctx: Ctx): Tree {
    const input = this.inputIndex.get(node);
    if (input !== undefined) return this.load(node, this.pool.region(sizeOf(node.shape), [{ input, from: 0, to: 0, count: sizeOf(node.shape) }], false), ctx);
    if (node === this.leaf?.node) return this.load(node, this.leaf.region, ctx);
    const op = node.op;
    switch (op.kind) {
      case 'const': {
        const type = laneType(node);
        if (runtimeScalar(node) === null) return { kind: 'const', type, value: op.value };
        if (type !== 'f32') throw new Unsupported();
        return { kind: 'scalar', type, slot: this.pool.scalar(node) };
      }
      case 'view':
        return this.view(node, op.view, ctx);
      case 'elementwise': {
        const def = op.def;
        if (def.random || def.usesParam) throw new Unsupported();
        const type = laneType(node);
        const args = node.srcs.map((s) => this.tree(s, ctx));
        const types = node.srcs.map(laneType);
        const all = (t: LaneType) => types.every((x) => x === t);
        const ok =
          (F32_ROWS.has(def.name) && all('f32') && type === 'f32') ||
          (COMPARISONS.has(def.name) && (all('f32') || (all('mask') && (def.name === 'equal' || def.name === 'notEqual')))) ||
          (LOGICAL.has(def.name) && all('mask')) ||
          (def.name === 'where' && types[0] === 'mask' && types[1] === type && types[2] === type) ||
          def.name === 'cast';
        if (!ok) throw new Unsupported();
        return { kind: 'row', type, row: def.name, args };
      }
      default:
        throw new Unsupported();
    }
  }

  private view(node: LazyNode, view: ViewOp, ctx: Ctx): Tree {
    const src = node.srcs[0];
    if (view.kind === 'reshape') {
      if (ctx.kind === 'axes') {
        const outReal = nonOne(node.shape);
        const inReal = nonOne(src.shape);
        if (outReal.length === inReal.length && outReal.every((o, k) => node.shape[o] === src.shape[inReal[k]])) {
          const axes = src.shape.map((): number | null => null);
          inReal.forEach((j, k) => (axes[j] = ctx.axes[outReal[k]]));
          return this.tree(src, { kind: 'axes', axes });
        }
      }
      if (!this.isFlat(ctx)) throw new Unsupported();
      return this.tree(src, { kind: 'flat' });
    }
    if (view.kind === 'expand') {
      if (ctx.kind === 'flat') throw new Unsupported();
      return this.tree(src, { kind: 'axes', axes: src.shape.map((d, i) => (d === 1 ? null : ctx.axes[i])) });
    }
    if (view.kind === 'permute') {
      if (ctx.kind === 'flat') throw new Unsupported();
      const axes = new Array<number | null>(src.shape.length);
      view.perm.forEach((p, i) => (axes[p] = ctx.axes[i]));
      return this.tree(src, { kind: 'axes', axes });
    }
    // Concat, pad and shrink read their sources as flat ranges, copied into one region.
    if (!this.isFlat(ctx)) throw new Unsupported();
    return this.load(node, this.pool.region(sizeOf(node.shape), this.pieces(node), false), ctx);
  }

  /** The pieces of the flat layout of `node`, a view chain over inputs whose ranges are contiguous. */
  private pieces(node: LazyNode): Piece[] {
    const input = this.inputIndex.get(node);
    if (input !== undefined) return [{ input, from: 0, to: 0, count: sizeOf(node.shape) }];
    if (node.op.kind !== 'view') throw new Unsupported();
    const view = node.op.view;
    const src = node.srcs[0];
    /** The one axis a view changes, if every axis before it has extent 1 (so its ranges are contiguous). */
    const leading = (changed: readonly boolean[]): number => {
      const axis = changed.indexOf(true);
      if (changed.lastIndexOf(true) !== axis || node.shape.slice(0, Math.max(axis, 0)).some((d) => d !== 1)) throw new Unsupported();
      return axis;
    };
    switch (view.kind) {
      case 'reshape':
        return this.pieces(src);
      case 'concat': {
        if (node.shape.slice(0, view.axis).some((d) => d !== 1)) throw new Unsupported();
        let at = 0;
        return node.srcs.flatMap((s) => {
          const shifted = this.pieces(s).map((p) => ({ ...p, to: p.to + at }));
          at += sizeOf(s.shape);
          return shifted;
        });
      }
      case 'pad': {
        const axis = leading(node.shape.map((d, i) => d !== src.shape[i]));
        const shift = axis < 0 ? 0 : view.before[axis] * stridesOf(node.shape)[axis];
        return this.pieces(src).map((p) => ({ ...p, to: p.to + shift }));
      }
      case 'shrink': {
        const axis = leading(node.shape.map((d, i) => d !== src.shape[i]));
        const begin = axis < 0 ? 0 : view.begin[axis] * stridesOf(src.shape)[axis];
        const end = begin + sizeOf(node.shape);
        return this.pieces(src).flatMap((p) => {
          const lo = Math.max(p.to, begin);
          const hi = Math.min(p.to + p.count, end);
          return hi > lo ? [{ input: p.input, from: p.from + lo - p.to, to: lo - begin, count: hi - lo }] : [];
        });
      }
      default:
        throw new Unsupported();
    }
  }

  private load(node: LazyNode, region: number, ctx: Ctx): PendingLoad {
    const type = laneType(node);
    const follows = ctx.kind === 'flat' ? 'flat' : ctx.axes.filter((a): a is number => a !== null);
    const load: PendingLoad = { kind: 'pending', region, type, follows };
    this.loads.push(load);
    return load;
  }

  /** The access of a load of `follows` when the root splits into rows (axes before `split`) and columns. */
  access(follows: readonly number[] | 'flat', split: number): Access | null {
    if (follows === 'flat') return 'flat';
    const same = (want: readonly number[]) => follows.length === want.length && follows.every((a, k) => a === want[k]);
    if (same(this.rootReal)) return 'flat';
    if (follows.length === 0) return 'scalar';
    if (same(this.rootReal.filter((a) => a >= split))) return 'inner';
    if (same(this.rootReal.filter((a) => a < split))) return 'outer';
    return null;
  }
}

/** `trees` with their loads' accesses for rows split before root axis `split`, or null where a load does not fit it. */
function resolved(a: LaneAnalysis, trees: readonly Tree[], split: number): Expr[] | null {
  if (a.loads.some((l) => a.access(l.follows, split) === null)) return null;
  const done = new Map<Tree, Expr>();
  const resolve = (e: Tree): Expr => {
    let r = done.get(e);
    if (r) return r;
    if (e.kind === 'pending') r = { kind: 'load', type: e.type, region: e.region, access: a.access(e.follows, split)! };
    else if (e.kind === 'row') r = { ...e, args: e.args.map(resolve) };
    else r = e;
    done.set(e, r);
    return r;
  };
  return trees.map(resolve);
}

/** The kernel's reduce as a phase: a sum, max or min whose reduced real axes all come before, or all after, the kept ones. */
function laneReduce(node: LazyNode, pool: Pool): LaneReduce {
  if (node.op.kind !== 'reduce') throw new Unsupported();
  const { reduce: kind, axes } = node.op;
  if (kind !== 'sum' && kind !== 'max' && kind !== 'min') throw new Unsupported();
  const src = node.srcs[0];
  if (laneType(node) !== 'f32' || laneType(src) !== 'f32') throw new Unsupported();
  const real = nonOne(src.shape);
  const reduced = real.filter((a) => axes.includes(a));
  const kept = real.filter((a) => !axes.includes(a));
  const leading = kept.length > 0 && reduced.every((a) => a < kept[0]);
  if (!leading && !kept.every((a) => a < reduced[0])) throw new Unsupported();
  const split = leading ? kept[0] : (reduced[0] ?? src.shape.length);
  const region = pool.region(sizeOf(node.shape), [], true);
  const a = new LaneAnalysis(src, pool, null);
  const value = resolved(a, [a.tree(src, a.outputCtx(src.shape))], split);
  if (!value) throw new Unsupported();
  return { kind, leading, rows: sizeOf(src.shape.slice(0, split)), columns: sizeOf(src.shape.slice(split)), value: value[0], region };
}

/**
 * The lane form of `kernel` reading `inputs` (in `ins` order), or null where the generator does
 * not take it: int32 values, rows it does not implement, reads that are neither the element's
 * flat index, its row's, its column's nor a single value, or a reduce of another kind or shape.
 */
export function laneKernel(kernel: FusedKernel, inputs: readonly LazyNode[]): LaneKernel | null {
  const pool = new Pool(inputs);
  try {
    const reduce = kernel.reduce ? laneReduce(kernel.reduce, pool) : null;
    const a = new LaneAnalysis(kernel.root, pool, kernel.reduce && reduce && { node: kernel.reduce, region: reduce.region });
    const trees = kernel.outputs.map((o) => a.tree(o, a.outputCtx(o.shape)));
    const shape = kernel.root.shape;
    // The first split every load fits, for the longest rows.
    for (let split = 0; split <= shape.length; split++) {
      const outputs = resolved(a, trees, split);
      if (outputs) return { rows: sizeOf(shape.slice(0, split)), columns: sizeOf(shape.slice(split)), regions: pool.regions, scalars: pool.scalars, outputs, reduce };
    }
    return null;
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}
