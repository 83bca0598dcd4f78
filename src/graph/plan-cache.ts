// The plan cache's key: a canonical walk of the lazy graph from its roots, writing each node's
// op (with its parameters), shape, dtype and sources by position, with buffer leaves as numbered
// input slots and runtime scalars (src/graph/scalars.ts) as numbered scalar slots, not values.
// Two graphs with equal keys schedule into the same kernels and buffer plan, so a backend
// compiles a plan once per key. Building the key must stay far cheaper than scheduling.

import { LazyNode, topoSort, type NodeOp } from './ir';
import { runtimeScalar } from './scalars';

/** A graph's structural key and its buffer leaves, in slot order. */
export interface GraphSignature {
  readonly key: string;
  /** The buffer nodes the graph reads: slot i of a compiled plan binds leaves[i]. */
  readonly leaves: readonly LazyNode[];
  /** The nodes carrying runtime scalars: a run of a compiled plan reads scalar i from scalars[i]. */
  readonly scalars: readonly LazyNode[];
  /** Each node's canonical position (sources before users); the same on every equal-key graph. */
  readonly index: ReadonlyMap<LazyNode, number>;
}

const objectIds = new WeakMap<object, number>();
const attrKeys = new WeakMap<object, string>();
let nextObjectId = 0;

/** A number naming an op definition object (two defs with one name still differ). */
function objectId(o: object): number {
  let id = objectIds.get(o);
  if (id === undefined) objectIds.set(o, (id = nextObjectId++));
  return id;
}

function attrsKey(attrs: unknown): string {
  if (typeof attrs !== 'object' || attrs === null) return JSON.stringify(attrs) ?? '';
  let k = attrKeys.get(attrs);
  if (k === undefined) attrKeys.set(attrs, (k = JSON.stringify(attrs)));
  return k;
}

/** The key of an op; `runtime` says its number is a runtime scalar, written as `$` (its slot is its order). */
function opKey(op: NodeOp, runtime: boolean): string {
  switch (op.kind) {
    case 'buffer':
      return 'B';
    case 'const':
      return runtime ? 'c$' : `c${op.value}`;
    case 'view': {
      const v = op.view;
      if (v.kind === 'permute') return `vp${v.perm.join(',')}`;
      if (v.kind === 'shrink') return `vs${v.begin.join(',')}`;
      if (v.kind === 'pad') return `vd${v.before.join(',')}`;
      if (v.kind === 'concat') return `vc${v.axis}`;
      return v.kind === 'reshape' ? 'vr' : 've';
    }
    case 'elementwise':
      return `e${objectId(op.def)}:${runtime ? '$' : op.param}`;
    case 'reduce':
      return `r${op.reduce}:${op.axes.join(',')}`;
    case 'kernel':
      return `k${objectId(op.def)}:${attrsKey(op.attrs)}`;
  }
}

/** The structural key of the graph computing `roots`, with its leaves and canonical indices. */
export function graphSignature(roots: readonly LazyNode[]): GraphSignature {
  const order = topoSort(roots);
  const index = new Map<LazyNode, number>();
  const leaves: LazyNode[] = [];
  const scalars: LazyNode[] = [];
  const parts: string[] = [];
  for (const n of order) {
    index.set(n, index.size);
    const runtime = runtimeScalar(n) !== null;
    if (runtime) scalars.push(n);
    let p = `${opKey(n.op, runtime)} ${n.dtype} ${n.shape.join('x')}`;
    if (n.op.kind === 'buffer') p += ` #${leaves.push(n) - 1}`;
    for (const s of n.srcs) p += ` ${index.get(s)}`;
    parts.push(p);
  }
  // An assigned root writes into its target storage: which leaf (if any) reads that storage's old
  // contents decides how the write is planned, so it is part of the structure.
  const targetKey = (r: LazyNode) => {
    if (!r.target) return '';
    // Leaves on the target's memory (itself, or arena ranges overlapping it), and which is which.
    const reading = leaves.flatMap((l, i) => (l.op.kind === 'buffer' && l.op.storage.overlaps(r.target!) ? [l.op.storage === r.target ? `${i}` : `${i}~`] : []));
    return `>${reading.join(',') || '-'}`;
  };
  parts.push(`roots ${roots.map((r) => `${index.get(r)}${targetKey(r)}`).join(' ')}`);
  return { key: parts.join(';'), leaves, scalars, index };
}

/** A least-recently-used map from graph keys to compiled plans. */
export class PlanCache<P> {
  private readonly plans = new Map<string, P>();

  constructor(readonly capacity = 256) {}

  get size(): number {
    return this.plans.size;
  }

  /** The plan for `key`, marking it most recently used. */
  get(key: string): P | undefined {
    const plan = this.plans.get(key);
    if (plan !== undefined) {
      this.plans.delete(key);
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** The plan for `key`, leaving the order of use as it is. */
  peek(key: string): P | undefined {
    return this.plans.get(key);
  }

  has(key: string): boolean {
    return this.plans.has(key);
  }

  set(key: string, plan: P): void {
    this.plans.delete(key);
    this.plans.set(key, plan);
    while (this.plans.size > this.capacity) this.plans.delete(this.plans.keys().next().value!);
  }
}
