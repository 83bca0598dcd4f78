// Scheduling: which nodes of a graph become kernels. Elementwise ops and views are inlined
// into their consumers (fusion); a reduction joins the kernel of its only consumer when the
// path between them is elementwise ops and size-preserving views, so it runs once per output;
// hand-written kernels (matmul, conv…) read contiguous inputs, and the elementwise chain on
// their output (bias, activation, residual add…) joins them as an epilogue when their
// KernelDef opts in. Elementwise kernels of the same size that compute realized roots merge into
// one kernel with several outputs (an optimizer's p, m, v). Roots assigned in place (`target`)
// are written straight into their storage where that is safe, else through a copy (writePlan).
// Pure: no GPU here.

import { sizeOf } from '../shape';
import { LazyNode, topoSort, type Storage } from './ir';

/**
 * A generated kernel: `outputs` (`root` is the first) computed from `inputs` (materialized
 * nodes), with ≤ 1 reduce; several outputs only without a reduce, all of one size.
 */
export interface FusedKernel {
  readonly kind: 'fused';
  readonly root: LazyNode;
  readonly outputs: readonly LazyNode[];
  readonly inputs: LazyNode[];
  readonly reduce: LazyNode | null;
  /** The inlined nodes, in the order they appear, for explain(). */
  readonly ops: LazyNode[];
  /**
   * Inputs read through an output's binding: the old contents of a storage this kernel assigns in
   * place, read only at each thread's own index (so the write after the read is safe).
   */
  aliases: ReadonlyMap<LazyNode, LazyNode>;
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

/**
 * A concat of whole materialized values, more than one kernel may bind (a stack of many separate
 * buffers): each input's contiguous chunks are copied into its ranges of the output by encoder
 * copies, which are no dispatch. The CPU backend computes the concat node itself.
 */
export interface CopyKernel {
  readonly kind: 'copy';
  readonly root: LazyNode;
  readonly inputs: LazyNode[];
  /** Element ranges: `count` elements of input `input` from `from` go to the output at `to`. */
  readonly copies: readonly { readonly input: number; readonly from: number; readonly to: number; readonly count: number }[];
}

export type Kernel = FusedKernel | CustomKernel | CopyKernel;

/** The values a kernel writes, in binding order. */
export function kernelOutputs(k: Kernel): readonly LazyNode[] {
  return k.kind === 'fused' ? k.outputs : [k.root];
}

/**
 * How each assigned root reaches its target storage: `direct` roots are written into it by their
 * kernel; the others are written to a fresh buffer and copied into the target after the last
 * kernel (when the kernel itself reads the old contents at other positions, or a later kernel does).
 */
export interface WritePlan {
  readonly direct: ReadonlySet<LazyNode>;
}

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
  if (k.kind === 'fused') return [...k.inputs.filter((n) => !k.aliases.has(n)), ...k.outputs];
  if (k.kind === 'copy') return [...k.inputs, k.root];
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

/** Chunks shorter than this many elements make a concat a kernel rather than copies. */
const MIN_COPY_ELEMENTS = 64;

/**
 * The copies that compute `node`, a concat (through the nested concats of one axis that
 * `concat` builds), from whole materialized values; null when a source is a lazy computation or
 * a strided view, or a chunk is too short to be worth a copy.
 */
function concatCopies(node: LazyNode, materialized: Set<LazyNode>): { kernel: CopyKernel; nested: LazyNode[] } | null {
  if (node.op.kind !== 'view' || node.op.view.kind !== 'concat' || node.target) return null;
  const axis = node.op.view.axis;
  const parts: LazyNode[] = [];
  const nested: LazyNode[] = [];
  const collect = (n: LazyNode): void => {
    if ((n === node || !materialized.has(n)) && n.op.kind === 'view' && n.op.view.kind === 'concat' && n.op.view.axis === axis) {
      nested.push(n);
      n.srcs.forEach(collect);
    } else parts.push(n);
  };
  collect(node);
  const sources = parts.map(kernelSource);
  if (sources.some((s) => s.op.kind === 'view' || (s.op.kind !== 'buffer' && !materialized.has(s)))) return null;
  const inputs = [...new Set(sources)];
  const outer = sizeOf(node.shape.slice(0, axis));
  const inner = sizeOf(node.shape.slice(axis + 1));
  const copies: { input: number; from: number; to: number; count: number }[] = [];
  let begin = 0;
  for (const [k, part] of parts.entries()) {
    const count = part.shape[axis] * inner;
    if (count < MIN_COPY_ELEMENTS) return null;
    const input = inputs.indexOf(sources[k]);
    for (let i = 0; i < outer; i++) copies.push({ input, from: i * count, to: (i * node.shape[axis] + begin) * inner, count });
    begin += part.shape[axis];
  }
  return { kernel: { kind: 'copy', root: node, inputs, copies }, nested };
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
  // Concats of more whole values than a kernel may bind: copies into one output, consumers first
  // so the outermost concat takes the nested ones with it.
  const copyOf = new Map<LazyNode, CopyKernel>();
  const covered = new Set<LazyNode>();
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    if (covered.has(node) || epilogueOf.has(node)) continue;
    const copy = concatCopies(node, materialized);
    if (!copy || copy.kernel.inputs.length + 1 <= opts.maxBuffers) continue;
    copyOf.set(node, copy.kernel);
    for (const n of copy.nested) covered.add(n);
    materialized.add(node);
  }

  const kernels: Kernel[] = [];
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    if (!materialized.has(node) || fusedKernels.has(node)) continue;
    const copy = copyOf.get(node);
    if (copy) {
      kernels.push(copy);
      continue;
    }
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
  const merged = mergeOutputs(kernels.reverse(), rootSet, materialized, opts.maxBuffers);
  merged.forEach((k, i) => {
    if (k.kind === 'fused') k.aliases = inPlaceAliases(k, merged.slice(i + 1));
  });
  return merged;
}

/** Whether `k` reads `leaf` only at each thread's own flat index (elementwise ops and reshapes). */
function readsAtOwnIndex(k: FusedKernel, leaf: LazyNode): boolean {
  if (k.reduce || k.outputs.some((o) => sizeOf(o.shape) !== sizeOf(leaf.shape))) return false;
  const inputs = new Set(k.inputs);
  const reachesMemo = new Map<LazyNode, boolean>();
  const reaches = (n: LazyNode): boolean => {
    if (n === leaf) return true;
    if (inputs.has(n)) return false;
    let r = reachesMemo.get(n);
    if (r === undefined) reachesMemo.set(n, (r = n.srcs.some(reaches)));
    return r;
  };
  // A path to the leaf through anything but elementwise ops and reshapes reads another position.
  const movedMemo = new Map<LazyNode, boolean>();
  const moved = (n: LazyNode): boolean => {
    if (n === leaf || inputs.has(n)) return false;
    let r = movedMemo.get(n);
    if (r === undefined) {
      const ownIndex = n.op.kind === 'elementwise' || (n.op.kind === 'view' && n.op.view.kind === 'reshape');
      movedMemo.set(n, (r = ownIndex ? n.srcs.some(moved) : reaches(n)));
    }
    return r;
  };
  return !k.outputs.some(moved);
}

/**
 * Whether buffer node `n` reads memory `target` overwrites: the storage itself, a range of it,
 * its base, or another range of its base that overlaps it (arena members).
 */
function holdsOld(n: LazyNode, target: Storage): boolean {
  return n.op.kind === 'buffer' && n.op.storage.overlaps(target);
}

/**
 * The inputs of `k` that are the old contents of a storage one of its outputs assigns, when the
 * whole kernel reads them at its own index: they are read through that output's binding. Not
 * when a `later` kernel reads the old contents too: that output is then written through a copy
 * (writePlan), and its binding does not hold the old contents.
 */
function inPlaceAliases(k: FusedKernel, later: readonly Kernel[]): Map<LazyNode, LazyNode> {
  const aliases = new Map<LazyNode, LazyNode>();
  for (const out of k.outputs) {
    if (!out.target) continue;
    const olds = k.inputs.filter((n) => n.op.kind === 'buffer' && n.op.storage === out.target);
    if (olds.length !== 1 || !readsAtOwnIndex(k, olds[0])) continue;
    const target = out.target;
    // Another view of the same memory bound in this kernel would alias its writable binding.
    if (k.inputs.some((n) => n !== olds[0] && holdsOld(n, target))) continue;
    if (later.some((kk) => kk.inputs.some((n) => holdsOld(n, target)))) continue;
    aliases.set(olds[0], out);
  }
  return aliases;
}

/**
 * Which assigned roots of `kernels` are written straight into their target: the kernel reads the
 * old contents not at all or through an alias, no later kernel reads them, and no other root of
 * the realize assigns the same storage.
 */
export function writePlan(kernels: readonly Kernel[]): WritePlan {
  const direct = new Set<LazyNode>();
  const targets = new Map<object, number>();
  for (const k of kernels) for (const o of kernelOutputs(k)) if (o.target) targets.set(o.target, (targets.get(o.target) ?? 0) + 1);
  kernels.forEach((k, i) => {
    for (const o of kernelOutputs(k)) {
      const target = o.target;
      if (!target || targets.get(target) !== 1) continue;
      const readsOld = (kk: Kernel) => kk.inputs.some((n) => holdsOld(n, target) && !(kk.kind === 'fused' && kk.aliases.has(n)));
      if (readsOld(k) || kernels.slice(i + 1).some(readsOld)) continue;
      direct.add(o);
    }
  });
  return { direct };
}

/**
 * Merges generated kernels without a reduce whose outputs are realized roots of one size into one
 * kernel with several outputs, when the merged kernel stays within the binding limit and no other
 * kernel needs one of them in between. A member that reads another member's output computes it
 * inline instead of loading it.
 */
function mergeOutputs(kernels: Kernel[], roots: Set<LazyNode>, materialized: Set<LazyNode>, maxBuffers: number): Kernel[] {
  const groups = new Map<number, number[]>();
  kernels.forEach((k, i) => {
    if (k.kind !== 'fused' || k.reduce || !roots.has(k.root) || sizeOf(k.root.shape) === 0) return;
    const size = sizeOf(k.root.shape);
    let g = groups.get(size);
    if (!g) groups.set(size, (g = []));
    g.push(i);
  });
  const replaced = new Map<number, Kernel | null>();
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    // Greedily grow a group in order; a member joins while the merged kernel fits.
    let group: number[] = [];
    let built: FusedKernel | null = null;
    const flush = () => {
      if (built && group.length > 1) {
        const last = group[group.length - 1];
        for (const i of group) replaced.set(i, i === last ? built : null);
      }
      group = [];
      built = null;
    };
    for (const i of members) {
      const candidate = [...group, i];
      const outs = candidate.map((j) => kernels[j].root);
      const last = candidate[candidate.length - 1];
      // A kernel outside the group between its first and last member must not read a member.
      const between = kernels.slice(candidate[0] + 1, last).filter((_, off) => !candidate.includes(candidate[0] + 1 + off));
      const blocked = between.some((k) => k.inputs.some((n) => outs.includes(n)));
      const others = kernels.filter((_, j) => !candidate.includes(j));
      const next = blocked ? null : buildMulti(outs, materialized, maxBuffers, others);
      if (next) {
        group = candidate;
        built = next;
      } else {
        flush();
        group = [i];
        built = kernels[i] as FusedKernel;
      }
    }
    flush();
  }
  if (replaced.size === 0) return kernels;
  return kernels.flatMap((k, i) => {
    if (!replaced.has(i)) return [k];
    const r = replaced.get(i);
    return r ? [r] : [];
  });
}

/**
 * The one kernel computing every node of `outputs` (elementwise, one size), or null if it needs
 * too many buffers. Old contents an output assigns in place are read through that output's
 * binding and take none of their own (an optimizer's p, m and v), unless one of the `others`
 * kernels reads them too: whatever kernels they merge into, those read no other buffers.
 */
function buildMulti(outputs: readonly LazyNode[], materialized: Set<LazyNode>, maxBuffers: number, others: readonly Kernel[]): FusedKernel | null {
  const members = new Set(outputs);
  const inputs: LazyNode[] = [];
  const ops: LazyNode[] = [];
  const visited = new Set<LazyNode>();
  const walk = (node: LazyNode): boolean => {
    if (visited.has(node)) return true;
    visited.add(node);
    if (node.op.kind === 'buffer' || (!members.has(node) && materialized.has(node))) {
      inputs.push(node);
      return true;
    }
    if (node.op.kind === 'reduce' || node.op.kind === 'kernel') return false;
    ops.push(node);
    return node.srcs.every(walk);
  };
  if (!outputs.every(walk)) return null;
  const kernel: FusedKernel = { kind: 'fused', root: outputs[0], outputs, inputs, reduce: null, ops: ops.reverse(), aliases: new Map() };
  if (inputs.length + outputs.length <= maxBuffers) return kernel;
  return inputs.length - inPlaceAliases(kernel, others).size + outputs.length <= maxBuffers ? kernel : null;
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
    if (inputs.length + 1 <= maxBuffers) return { kind: 'fused', root, outputs: [root], inputs, reduce, ops: ops.reverse(), aliases: new Map() };
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
