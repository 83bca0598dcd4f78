// The CPU backend: runs the same fused schedule as the WebGPU backend, one generated JavaScript
// loop per fused kernel (./cpu-plan.ts, ./codegen.ts) — generated WebAssembly SIMD where it is
// float32/bool elementwise or a leading/trailing sum/max/min (./wasm/fused-wasm.ts) — and the
// hand-written kernels through ./fast-kernels.ts. Checked against the node-by-node reference
// (src/backend/reference/), which also runs the graphs where a page's CSP forbids `new Function`.

import type { TypedArray } from '../../dtype';
import { describeOp, Storage, type LazyNode } from '../../graph/ir';
import { kernelOutputs } from '../../graph/schedule';
import { HostBackend } from './host-backend';
import { stats } from '../backend';
import { ReferenceBackend } from '../reference/reference-backend';
import { CpuPlanner } from './cpu-plan';
import { cpuKernel } from './fast-kernels';

export class CpuBackend extends HostBackend {
  readonly plans = new CpuPlanner((node, inputs) => this.runKernel(node, inputs));
  /** Set when generated code cannot be compiled here (a CSP without 'unsafe-eval'). */
  private interpreter: ReferenceBackend | null = null;

  execute(roots: readonly LazyNode[]): Storage[] {
    if (this.interpreter) return this.interpreter.execute(roots);
    stats.realizes++;
    try {
      return this.plans.execute(roots);
    } catch (e) {
      // Compiling comes before any write, so the interpreter can run the same realize instead.
      if (!(e instanceof EvalError)) throw e;
      console.warn('webgrad: this page forbids compiling code (Content-Security-Policy without unsafe-eval); the CPU backend interprets graphs node by node');
      stats.realizes--;
      this.interpreter = new ReferenceBackend();
      return this.interpreter.execute(roots);
    }
  }

  /** Compiles the plan of `roots` (its generated loops) ahead of time, without running it. */
  async prepare(roots: readonly LazyNode[]): Promise<void> {
    if (this.interpreter) return;
    try {
      this.plans.prepare(roots);
    } catch (e) {
      // Where code cannot be compiled, the first realize falls back to the interpreter.
      if (!(e instanceof EvalError)) throw e;
    }
  }

  /** Runs a hand-written kernel (matmul, conv, gather…) on its contiguous inputs: its WebAssembly version where there is one (./fast-kernels.ts). */
  private runKernel(node: LazyNode, inputs: readonly TypedArray[]): TypedArray {
    if (node.op.kind !== 'kernel') throw new Error(`cpu: node ${node.id} (${node.op.kind}) is not a hand-written kernel`);
    return cpuKernel(node.op.def)(inputs, node as LazyNode & { op: { attrs: unknown } });
  }

  /** One line per pass: the fused ops (the kernel and its epilogue, or the copies) and the values written. */
  explain(roots: readonly LazyNode[]): string[] {
    return this.plans.schedule(roots).map((k, i) => {
      if (k.kind === 'copy') return `cpu k${i} copies[${k.copies.length} ranges of ${k.inputs.length} values] → [${k.root.shape.join(',')}] ${k.root.dtype}`;
      const what = k.kind === 'fused' ? `fused[${k.ops.map(describeOp).join(' ')}]` : `${describeOp(k.node)}${k.epilogue ? `+epilogue[${k.epilogue.ops.filter((n) => n !== k.node).map(describeOp).join(' ')}]` : ''}`;
      const writes = kernelOutputs(k).map((o) => `[${o.shape.join(',')}] ${o.dtype}${o.target ? ' (in place)' : ''}`);
      return `cpu k${i} ${what} → ${writes.join(', ')}`;
    });
  }
}
