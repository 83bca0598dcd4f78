// Scheduling: which nodes of a graph become kernels. Elementwise ops and views are inlined
// into their consumers (fusion); a reduction joins the kernel of its only consumer when the
// path between them is elementwise ops and size-preserving views, so it runs once per output;
// hand-written kernels (matmul, conv…) read contiguous inputs, and the elementwise chain on
// their output (bias, activation, residual add…) joins them as an epilogue when their
// KernelDef opts in. Pure: no GPU here.

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

/**
 * A hand-written kernel on materialized inputs. `node` is the kernel op; `root`, the value
 * written, is `node` itself or the top of the epilogue chain fused onto it. `inputs` lists every
 * buffer read: the kernel's sources, then the epilogue's inputs (see `kernelBindings`).
 */
export interface CustomKernel {
  readonly kind: 'custom';
  readonly root: LazyNode;
  readonly node: LazyNode;
  readonly inputs: LazyNode[];
  /** The fused elementwise chain: its root is `root`; `node` is read as the value `v`. */
  readonly epilogue: FusedKernel | null;
}

export type Kernel = FusedKernel | CustomKernel;

export interface ScheduleOptions {
  /** Storage buffers one kernel may bind (the output included). */
  readonly maxBuffers: number;
}

const isSizePreservingView = (n: LazyNode) =>
  n.op.kind === 'view' && (n.op.view.kind === 'reshape' || n.op.view.kind === 'permute');

/**
 * The nodes a kernel binds, in binding order: generated kernels bind inputs then output; a
 * hand-written kernel binds its sources, its output, then its epilogue's inputs.
 */
export function kernelBindings(k: Kernel): LazyNode[] {
  if (k.kind === 'fused') return [...k.inputs, k.root];
  const n = k.node.srcs.length;
  return [...k.inputs.slice(0, n), k.root, ...k.inputs.slice(n)];
}

/**
 * What a kernel binds for source `s`: when `s` only reshapes a buffer or a computed value, that
 * value itself (contiguous either way, so no copy, and one buffer for every reshape of it).
 */
function kernelSource(s: LazyNode): LazyNode {
  let n = s;
  while (n.op.kind === 'view' && n.op.view.kind === 'reshape') n = n.srcs[0];
  return n.op.kind === 'view' ? s : n;
}

/**
 * The top of the elementwise chain that can run as `kernel`'s epilogue: follows single
 * consumers through float32 elementwise ops and reshapes (which keep the flat index), and stops
 * at a root or at a node something else needs materialized. Returns `kernel` when none.
 */
function epilogueTop(kernel: LazyNode, users: Map<LazyNode, LazyNode[]>, roots: Set<LazyNode>, materialized: Set<LazyNode>): LazyNode {
  if (kernel.op.kind !== 'kernel' || !kernel.op.def.epilogue || kernel.dtype !== 'float32') return kernel;
  let top = kernel;
  // A chain that stops short of a root ends on a computed value, not on a trailing reshape:
  // consumers look through reshapes to the value (kernelSource), which must be this kernel's root.
  const settle = () => {
    while (top !== kernel && top.op.kind === 'view') top = top.srcs[0];
    return top;
  };
  for (;;) {
    if (roots.has(top) || (top !== kernel && materialized.has(top))) return top;
    const next = users.get(top) ?? [];
    if (next.length !== 1) return settle();
    const u = next[0];
    const ok = u.dtype === 'float32' && (u.op.kind === 'elementwise' || (u.op.kind === 'view' && u.op.view.kind === 'reshape'));
    if (!ok) return settle();
    top = u;
  }
}

/** The kernels that compute `roots`, sources first. Buffer roots need no kernel. */
export function schedule(roots: readonly LazyNode[], opts: ScheduleOptions): Kernel[] {
  const order = topoSort(roots);
  const consumers = new Map<LazyNode, number>();
  const users = new Map<LazyNode, LazyNode[]>();
  for (const n of order) {
    for (const s of n.srcs) {
      consumers.set(s, (consumers.get(s) ?? 0) + 1);
      let list = users.get(s);
      if (!list) users.set(s, (list = []));
      list.push(n);
    }
  }

  const materialized = new Set<LazyNode>();
  const rootSet = new Set(roots);
  for (const r of roots) if (r.op.kind !== 'buffer') materialized.add(r);
  for (const n of order) {
    if (n.op.kind === 'kernel') {
      materialized.add(n);
      for (const s of n.srcs.map(kernelSource)) if (s.op.kind !== 'buffer') materialized.add(s);
    }
  }
  // Epilogues: the chain's top is materialized in place of the kernel node.
  const epilogueOf = new Map<LazyNode, LazyNode>();
  for (const n of order) {
    if (n.op.kind !== 'kernel') continue;
    const top = epilogueTop(n, users, rootSet, materialized);
    if (top === n) continue;
    epilogueOf.set(top, n);
    materialized.add(top);
  }
  const fusedKernels = new Set(epilogueOf.values());

  const kernels: Kernel[] = [];
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    if (!materialized.has(node) || fusedKernels.has(node)) continue;
    const kernelNode = epilogueOf.get(node);
    if (kernelNode) {
      // The kernel node is a leaf of the chain's expression (materialized), read as `v`.
      const expr = buildFused(node, materialized, consumers, opts.maxBuffers - kernelNode.srcs.length, false);
      const inputs = expr.inputs.filter((x) => x !== kernelNode);
      const epilogue: FusedKernel = { ...expr, inputs };
      kernels.push({ kind: 'custom', root: node, node: kernelNode, inputs: [...kernelNode.srcs.map(kernelSource), ...inputs], epilogue });
      continue;
    }
    if (node.op.kind === 'kernel') {
      kernels.push({ kind: 'custom', root: node, node, inputs: node.srcs.map(kernelSource), epilogue: null });
      continue;
    }
    kernels.push(buildFused(node, materialized, consumers, opts.maxBuffers, true));
  }
  return kernels.reverse();
}

/** The generated kernel computing `root`; `allowReduce` false keeps reductions out (epilogues). */
function buildFused(root: LazyNode, materialized: Set<LazyNode>, consumers: Map<LazyNode, number>, maxBuffers: number, allowReduce: boolean): FusedKernel {
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
    walk(root, allowReduce);
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
