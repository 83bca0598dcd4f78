// The reference backend: executes the lazy graph node by node with plain TypeScript kernels, one
// array per node. The tests check both fast backends (WebGPU, CPU) against it, so it shares no
// scheduling or code generation with them. Reports itself as 'cpu'; selected by tests only.

import { allocHost, type TypedArray } from '../../dtype';
import { DisposedError } from '../../errors';
import { describeOp, LazyNode, Storage, topoSort } from '../../graph/ir';
import { sizeOf } from '../../shape';
import { HostBackend } from '../cpu/host-backend';
import { stats } from '../backend';
import { reduceCpu } from './reduce';
import { applyView, concatCpu } from './views';

export class ReferenceBackend extends HostBackend {

  execute(roots: readonly LazyNode[]): Storage[] {
    stats.realizes++;
    const order = topoSort(roots);
    const uses = new Map<LazyNode, number>();
    for (const n of order) for (const s of n.srcs) uses.set(s, (uses.get(s) ?? 0) + 1);
    const values = new Map<LazyNode, TypedArray>();
    for (const node of order) {
      values.set(node, this.compute(node, node.srcs.map((s) => values.get(s)!)));
      // One pass over memory per node that writes an array of its own (a reshape shares its source's).
      if (node.op.kind !== 'buffer' && node.op.kind !== 'const' && !(node.op.kind === 'view' && node.op.view.kind === 'reshape')) stats.dispatches++;
      for (const s of node.srcs) {
        const left = uses.get(s)! - 1;
        uses.set(s, left);
        if (left === 0 && !roots.includes(s)) values.delete(s);
      }
    }
    // Views share their source's array; a root must own its values, since `assign` writes
    // storages in place.
    const leafArrays = new Set(order.flatMap((n) => (n.op.kind === 'buffer' && n.op.storage.host ? [n.op.storage.host.buffer] : [])));
    const owned = (a: TypedArray) => (leafArrays.has(a.buffer) ? a.slice() : a);
    const results = roots.map((r) => (r.op.kind === 'buffer' ? null : owned(values.get(r)!)));
    // Assigned roots are written last, after every read of the old contents.
    return roots.map((r, i) => {
      if (r.op.kind === 'buffer') return r.op.storage;
      const value = results[i]!;
      if (r.target) {
        if (!r.target.host) throw new Error('reference: an assigned storage has no host copy (was it moved from another backend?)');
        r.target.host.set(value);
        return r.target;
      }
      const storage = new Storage(r.dtype, sizeOf(r.shape));
      storage.host = value;
      return storage;
    });
  }

  private compute(node: LazyNode, inputs: TypedArray[]): TypedArray {
    const op = node.op;
    switch (op.kind) {
      case 'buffer': {
        if (op.storage.released) throw new DisposedError(`realize: the graph reads a disposed [${node.shape.join(',')}] ${node.dtype} tensor`);
        if (!op.storage.host) throw new Error('reference: a storage has no host copy (was it moved from another backend?)');
        return op.storage.host;
      }
      case 'const': {
        const out = allocHost(node.dtype, 1);
        out[0] = op.value;
        return out;
      }
      case 'view':
        if (op.view.kind === 'concat') return concatCpu(inputs, node.srcs.map((s) => s.shape), op.view.axis, node.dtype, node.shape);
        // Storages are never written after creation, so a reshape may share its source's array.
        return applyView(op.view, inputs[0], node.srcs[0].shape, node.shape);
      case 'elementwise': {
        const out = allocHost(node.dtype, sizeOf(node.shape));
        const types = { in: node.srcs.map((s) => s.dtype), out: node.dtype, param: op.param };
        // A random row's last argument is the element's index (its Threefry counter).
        const args = new Array<number>(inputs.length + (op.def.random ? 1 : 0));
        for (let i = 0; i < out.length; i++) {
          for (let k = 0; k < inputs.length; k++) args[k] = inputs[k][i];
          if (op.def.random) args[inputs.length] = i;
          out[i] = op.def.cpu(args, types);
        }
        return out;
      }
      case 'reduce':
        return reduceCpu(op.reduce, inputs[0], node.srcs[0].shape, op.axes, node.dtype);
      case 'kernel':
        return op.def.cpu(inputs, node as LazyNode & { op: { attrs: unknown } });
    }
  }




  explain(roots: readonly LazyNode[]): string[] {
    return topoSort(roots)
      .filter((n) => n.op.kind !== 'buffer' && n.op.kind !== 'const')
      .map((n) => `reference ${describeOp(n)} → [${n.shape.join(',')}] ${n.dtype}`);
  }

}
