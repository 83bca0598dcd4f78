// Scheduling: which nodes of a graph become kernels. Elementwise ops and views are inlined
// into their consumers (fusion); a reduction joins the kernel of its only consumer when the
// path between them is elementwise ops and size-preserving views, so it runs once per output;
// hand-written kernels (matmul, conv…) stand alone on contiguous inputs. Pure: no GPU here.

import { LazyNode, topoSort } from './ir';

/** A generated kernel: `root` computed from `inputs` (materialized nodes), with ≤ 1 reduce. */
export interface FusedKernel {
  readonly kind: 'fused';
  readonly root: LazyNode;
  readonly inputs: LazyNode[];
  readonly reduce: LazyNode | null;
  /** The inlined nodes, in the order they appear, for explain(). */
  readonly ops: LazyNode[];
}

/** A hand-written kernel on materialized inputs. */
export interface CustomKernel {
  readonly kind: 'custom';
  readonly root: LazyNode;
  readonly inputs: LazyNode[];
}

export type Kernel = FusedKernel | CustomKernel;

export interface ScheduleOptions {
  /** Storage buffers one kernel may bind (the output included). */
  readonly maxBuffers: number;
}

const isSizePreservingView = (n: LazyNode) =>
  n.op.kind === 'view' && (n.op.view.kind === 'reshape' || n.op.view.kind === 'permute');

/** The kernels that compute `roots`, sources first. Buffer roots need no kernel. */
export function schedule(roots: readonly LazyNode[], opts: ScheduleOptions): Kernel[] {
  const order = topoSort(roots);
  const consumers = new Map<LazyNode, number>();
  for (const n of order) for (const s of n.srcs) consumers.set(s, (consumers.get(s) ?? 0) + 1);

  const materialized = new Set<LazyNode>();
  for (const r of roots) if (r.op.kind !== 'buffer') materialized.add(r);
  for (const n of order) {
    if (n.op.kind === 'kernel') {
      materialized.add(n);
      for (const s of n.srcs) if (s.op.kind !== 'buffer') materialized.add(s);
    }
  }

  const kernels: Kernel[] = [];
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    if (!materialized.has(node)) continue;
    if (node.op.kind === 'kernel') {
      kernels.push({ kind: 'custom', root: node, inputs: [...node.srcs] });
      continue;
    }
    kernels.push(buildFused(node, materialized, consumers, opts.maxBuffers));
  }
  return kernels.reverse();
}

function buildFused(root: LazyNode, materialized: Set<LazyNode>, consumers: Map<LazyNode, number>, maxBuffers: number): FusedKernel {
  for (;;) {
    const inputs: LazyNode[] = [];
    const ops: LazyNode[] = [];
    let reduce: LazyNode | null = null;
    const visited = new Map<LazyNode, Set<LazyNode>>();

    // Walks the expression of `node`; `fusable` says a reduce met here may join this kernel.
    const walk = (node: LazyNode, fusable: boolean): Set<LazyNode> => {
      const known = visited.get(node);
      if (known) return known;
      const leaves = new Set<LazyNode>();
      visited.set(node, leaves);
      const isLeaf = node.op.kind === 'buffer' || (node !== root && materialized.has(node));
      if (isLeaf) {
        if (!inputs.includes(node)) inputs.push(node);
        leaves.add(node);
        return leaves;
      }
      if (node.op.kind === 'reduce' && node !== root) {
        if (!fusable || reduce !== null || (consumers.get(node) ?? 0) > 1) {
          materialized.add(node);
          if (!inputs.includes(node)) inputs.push(node);
          leaves.add(node);
          return leaves;
        }
        reduce = node;
      }
      if (node === root && node.op.kind === 'reduce') reduce = node;
      ops.push(node);
      const keepFusable =
        fusable && (node === root || (consumers.get(node) ?? 0) <= 1) && (node.op.kind === 'elementwise' || isSizePreservingView(node) || node === root);
      for (const s of node.srcs) for (const l of walk(s, keepFusable && node.op.kind !== 'reduce')) leaves.add(l);
      return leaves;
    };
    walk(root, true);
    if (inputs.length + 1 <= maxBuffers) return { kind: 'fused', root, inputs, reduce, ops: ops.reverse() };
    // Too many buffers for one kernel: materialize the inlined subexpression reading the most.
    let best: LazyNode | null = null;
    for (const [n, leaves] of visited) {
      const inlined = n !== root && !inputs.includes(n);
      if (inlined && (best === null || leaves.size > (visited.get(best)?.size ?? 0))) best = n;
    }
    if (best === null) throw new Error(`schedule: a kernel needs ${inputs.length + 1} buffers, the device allows ${maxBuffers}`);
    materialized.add(best);
  }
}
