// The CPU backend: executes the lazy graph node by node with plain TypeScript kernels. It is
// the reference the WebGPU backend is tested against, so it shares no code generation with it.

import { allocHost, type TypedArray } from '../../dtype';
import { DisposedError } from '../../errors';
import { describeOp, LazyNode, Storage, topoSort } from '../../graph/ir';
import { sizeOf } from '../../shape';
import type { Backend } from '../backend';
import { stats } from '../backend';
import { cpuKernel } from './fast-kernels';
import { reduceCpu } from './reduce';
import { applyView, concatCpu } from './views';

export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;

  execute(roots: readonly LazyNode[]): Storage[] {
    stats.realizes++;
    const order = topoSort(roots);
    const uses = new Map<LazyNode, number>();
    for (const n of order) for (const s of n.srcs) uses.set(s, (uses.get(s) ?? 0) + 1);
    const values = new Map<LazyNode, TypedArray>();
    for (const node of order) {
      values.set(node, this.compute(node, node.srcs.map((s) => values.get(s)!)));
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
        if (!r.target.host) throw new Error('cpu: an assigned storage has no host copy (was it moved from another backend?)');
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
        if (!op.storage.host) throw new Error('cpu: a storage has no host copy (was it moved from another backend?)');
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
        return cpuKernel(op.def)(inputs, node as LazyNode & { op: { attrs: unknown } });
    }
  }

  private peakBytes = 0;

  /** Host arrays of storages not yet released (the CPU backend has no pool). */
  memory(): { liveBytes: number; pooledBytes: number; peakBytes: number } {
    const liveBytes = Storage.liveHostBytes;
    this.peakBytes = Math.max(this.peakBytes, liveBytes);
    return { liveBytes, pooledBytes: 0, peakBytes: this.peakBytes };
  }

  async read(storage: Storage): Promise<TypedArray> {
    if (!storage.host) throw new Error('cpu: storage has no host data');
    stats.bytesRead += storage.host.byteLength;
    return storage.host.slice();
  }

  explain(roots: readonly LazyNode[]): string[] {
    return topoSort(roots)
      .filter((n) => n.op.kind !== 'buffer' && n.op.kind !== 'const')
      .map((n) => `cpu ${describeOp(n)} → [${n.shape.join(',')}] ${n.dtype}`);
  }

  async download(): Promise<void> {}
}
