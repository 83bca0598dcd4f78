// The CPU backend's code generator: turns a FusedKernel into one JavaScript loop (built with
// `new Function`), as src/graph/codegen.ts turns it into WGSL. Views become index arithmetic,
// elementwise rows call their table `cpu` function, a reduce becomes an inner loop. Every value
// is rounded to its dtype as the reference backend's typed arrays round it, so results match it.

import type { DType, TypedArray } from '../../dtype';
import type { ElementwiseDef, ElementwiseTypes, LazyNode, ReduceName, ViewOp } from '../../graph/ir';
import { runtimeScalar } from '../../graph/scalars';
import type { FusedKernel } from '../../graph/schedule';
import { ScopedEmitter } from '../../graph/scoped-emitter';
import { stridesOf, type Shape } from '../../shape';
import { INLINE_ROWS } from './inline-rows';

/** One compiled fused kernel: reads `ins` (the kernel's inputs in order), writes `outs`, reads runtime numbers from `scalars`. */
export type JsKernel = (ins: readonly TypedArray[], outs: readonly TypedArray[], scalars: readonly number[]) => void;

export interface GeneratedJs {
  readonly run: JsKernel;
  /** The nodes whose runtime scalars fill `scalars`, in slot order. */
  readonly scalars: readonly LazyNode[];
  /** The function body, for tests and debugging. */
  readonly source: string;
}

interface IndexCtx {
  readonly id: number;
  /** One integer expression per axis of the shape the context indexes. */
  readonly idx: readonly string[];
  /** The row-major flat index of `idx` when known cheaply (elementwise chains and reshapes keep it). */
  readonly flat: string | null;
  /** A bool expression: false where a pad view reads outside its source. */
  readonly valid: string | null;
}

/**
 * Compiles `kernel` to a JavaScript function. `inputs` are the arrays it reads, in `ins` order
 * (the kernel's inputs, or for an epilogue the hand-written kernel's node first).
 *
 * ```ts
 * const { run, scalars } = generateJs(kernel, kernel.inputs);
 * run([a, b], [out], scalars.map(runtimeScalar));
 * ```
 */
export function generateJs(kernel: FusedKernel, inputs: readonly LazyNode[]): GeneratedJs {
  return new JsEmitter(kernel, inputs).generate();
}

/** The JavaScript expression storing `e` as `dtype` does in a typed array (Float32Array rounds, Int32Array wraps, Uint8Array wraps to a byte). */
function rounded(e: string, dtype: DType): string {
  if (dtype === 'float32') return `fr(${e})`;
  if (dtype === 'int32') return `((${e}) | 0)`;
  return `((${e}) & 255)`;
}

/** A JavaScript literal of a number already rounded to its dtype. */
function literal(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '(-Infinity)';
  return Object.is(value, -0) ? '(-0)' : `(${value})`;
}

class JsEmitter extends ScopedEmitter<IndexCtx> {
  private readonly header: string[] = [];
  private ctxCounter = 0;
  private readonly contexts = new Map<string, IndexCtx>();
  private readonly inputArray = new Map<LazyNode, string>();
  readonly scalars: LazyNode[] = [];
  private readonly scalarNames = new Map<LazyNode, string>();
  /** Closure values of the generated function: row functions, their argument arrays and type records. */
  private readonly closure: unknown[] = [];

  constructor(
    private readonly kernel: FusedKernel,
    inputs: readonly LazyNode[],
  ) {
    super();
    inputs.forEach((n, i) => {
      this.inputArray.set(n, `in${i}`);
      this.header.push(`const in${i} = ins[${i}];`);
    });
  }

  generate(): GeneratedJs {
    const { root, outputs } = this.kernel;
    outputs.forEach((_, j) => this.header.push(`const out${j} = outs[${j}];`));
    const rank = root.shape.length;
    const loopVars = root.shape.map((d, i) => (d === 1 ? '0' : `j${i}`));
    const rootCtx = this.newCtx(loopVars, 'idx', null);
    const contexts = new Map<string, IndexCtx>([[root.shape.join('x'), rootCtx]]);
    // Every value of an element is computed before its first store, as in the WGSL kernels.
    const values = outputs.map((o) => {
      const key = o.shape.join('x');
      let ctx = contexts.get(key);
      if (!ctx) contexts.set(key, (ctx = this.flatCtx(o.shape, 'idx')));
      return this.emit(o, ctx);
    });
    outputs.forEach((_, j) => this.line(`out${j}[idx] = ${values[j]};`));
    this.line('idx++;');

    const body = eliminateDead(this.scopes[0].lines);
    const open: string[] = [];
    const close: string[] = [];
    for (let a = 0; a < rank; a++) {
      if (root.shape[a] === 1) continue;
      open.push(`for (let j${a} = 0; j${a} < ${root.shape[a]}; j${a}++) {`);
      close.push('}');
    }
    const source = ['"use strict";', ...this.header, 'let idx = 0;', ...open, ...body, ...close].join('\n');
    const factory = new Function('C', 'fr', `return function fusedKernel(ins, outs, sc) {\n${source}\n};`) as (c: unknown[], fr: (x: number) => number) => JsKernel;
    return { run: factory(this.closure, Math.fround), scalars: this.scalars, source };
  }

  /** The context of these indices: one object per distinct content, so values computed at it are shared. */
  private newCtx(idx: readonly string[], flat: string | null, valid: string | null): IndexCtx {
    const key = `${idx.join(',')}|${flat}|${valid}`;
    let ctx = this.contexts.get(key);
    if (!ctx) this.contexts.set(key, (ctx = { id: this.ctxCounter++, idx, flat, valid }));
    return ctx;
  }

  /** A context for `shape` at flat index `flat`, its axis indices divided out (unused ones are dropped). */
  private flatCtx(shape: Shape, flat: string, valid: string | null = null): IndexCtx {
    const strides = stridesOf(shape);
    const idx = shape.map((d, i) => {
      if (d === 1) return '0';
      const v = this.fresh('i');
      const div = strides[i] === 1 ? flat : `((${flat} / ${strides[i]}) | 0)`;
      this.line(`const ${v} = ${i === 0 ? div : `${div} % ${d}`};`);
      return v;
    });
    return this.newCtx(idx, flat, valid);
  }

  /** A value the generated function holds in its closure, by name. */
  private constant(prefix: string, value: unknown): string {
    const name = this.fresh(prefix);
    this.header.push(`const ${name} = C[${this.closure.push(value) - 1}];`);
    return name;
  }

  /** The name of `node`'s runtime scalar, read once per run. */
  private scalar(node: LazyNode, dtype: DType): string {
    let name = this.scalarNames.get(node);
    if (name === undefined) {
      name = this.fresh('s');
      const slot = this.scalars.push(node) - 1;
      this.header.push(`const ${name} = ${node.op.kind === 'const' ? rounded(`sc[${slot}]`, dtype) : `sc[${slot}]`};`);
      this.scalarNames.set(node, name);
    }
    return name;
  }

  protected compute(node: LazyNode, ctx: IndexCtx): string {
    const input = this.inputArray.get(node);
    if (input !== undefined) return this.load(input, node, ctx);
    const op = node.op;
    switch (op.kind) {
      case 'const':
        return runtimeScalar(node) === null ? literal(rounded1(op.value, node.dtype)) : this.scalar(node, node.dtype);
      case 'view':
        return this.view(node, op.view, ctx);
      case 'elementwise':
        return this.elementwise(node, op.def, op.param, ctx);
      case 'reduce':
        return this.reduce(node, op.reduce, op.axes, ctx);
      case 'buffer':
      case 'kernel':
        throw new Error(`cpu codegen: node ${node.id} (${op.kind}) should be a kernel input`);
    }
  }

  /** A row call: the row's `cpu` function on a reused argument array, the result rounded to the dtype. */
  private elementwise(node: LazyNode, def: ElementwiseDef, param: number, ctx: IndexCtx): string {
    const args = node.srcs.map((s) => this.emit(s, ctx));
    if (def.random) args.push(linearIndex(node.shape, ctx));
    const types: ElementwiseTypes = { in: node.srcs.map((s) => s.dtype), out: node.dtype, param };
    const inline = def.random || def.usesParam ? undefined : INLINE_ROWS.get(def.name);
    const v = this.fresh('v');
    if (inline) {
      this.line(`const ${v} = ${rounded(inline(args, types), node.dtype)};`);
      return v;
    }
    const fn = this.constant('f', def.cpu);
    const argArray = this.constant('a', new Array<number>(args.length).fill(0));
    const typesName = this.constant('t', types);
    // A row's param is a runtime scalar: the type record takes this run's value.
    if (def.usesParam) this.header.push(`${typesName}.param = ${this.scalar(node, 'float32')};`);
    args.forEach((a, k) => this.line(`${argArray}[${k}] = ${a};`));
    this.line(`const ${v} = ${rounded(`${fn}(${argArray}, ${typesName})`, node.dtype)};`);
    return v;
  }

  private load(array: string, node: LazyNode, ctx: IndexCtx): string {
    const v = this.fresh('x');
    const read = `${array}[${linearIndex(node.shape, ctx)}]`;
    this.line(`const ${v} = ${ctx.valid ? `(${ctx.valid} ? ${read} : 0)` : read};`);
    return v;
  }

  private view(node: LazyNode, view: ViewOp, ctx: IndexCtx): string {
    if (view.kind === 'concat') return this.concat(node, view.axis, ctx);
    const src = node.srcs[0];
    const inn = src.shape;
    switch (view.kind) {
      case 'reshape':
        return this.emit(src, this.reshaped(node, inn, ctx));
      case 'permute': {
        const idx = new Array<string>(inn.length);
        view.perm.forEach((p, i) => (idx[p] = ctx.idx[i]));
        return this.emit(src, this.newCtx(idx, null, ctx.valid));
      }
      case 'expand':
        return this.emit(src, this.newCtx(inn.map((d, i) => (d === 1 ? '0' : ctx.idx[i])), null, ctx.valid));
      case 'shrink':
        return this.emit(src, this.newCtx(ctx.idx.map((x, i) => (view.begin[i] ? `(${x} + ${view.begin[i]})` : x)), null, ctx.valid));
      case 'pad': {
        const idx = ctx.idx.map((x, i) => (view.before[i] ? `(${x} - ${view.before[i]})` : x));
        const conds = idx.flatMap((x, i) => (inn[i] === node.shape[i] ? [] : [`(${x} >= 0 && ${x} < ${inn[i]})`]));
        const ok = this.fresh('ok');
        this.line(`const ${ok} = ${conds.length ? conds.join(' && ') : 'true'};`);
        const inner = this.emit(src, this.newCtx(idx, null, ctx.valid ? `(${ctx.valid} && ${ok})` : ok));
        const v = this.fresh('v');
        this.line(`const ${v} = ${ok} ? ${inner} : 0;`);
        return v;
      }
    }
  }

  /**
   * The context of a reshape's source: the same flat index; axis indices map straight across
   * when only size-1 axes differ, else are divided out of the flat index.
   */
  private reshaped(node: LazyNode, inn: Shape, ctx: IndexCtx): IndexCtx {
    const out = node.shape;
    const outReal = out.flatMap((d, i) => (d === 1 ? [] : [i]));
    const inReal = inn.flatMap((d, i) => (d === 1 ? [] : [i]));
    let flat = ctx.flat;
    if (flat === null) {
      flat = this.fresh('f');
      this.line(`const ${flat} = ${linearIndex(out, ctx)};`);
    }
    if (outReal.length === inReal.length && outReal.every((o, k) => out[o] === inn[inReal[k]])) {
      const idx = inn.map(() => '0');
      inReal.forEach((j, k) => (idx[j] = ctx.idx[outReal[k]]));
      return this.newCtx(idx, flat, ctx.valid);
    }
    return this.flatCtx(inn, flat, ctx.valid);
  }

  /** A concat: a binary search over the sources' ranges of `axis`, each branch reading only its source. */
  private concat(node: LazyNode, axis: number, ctx: IndexCtx): string {
    const v = this.fresh('v');
    this.line(`let ${v};`);
    const starts = [0];
    for (const s of node.srcs) starts.push(starts[starts.length - 1] + s.shape[axis]);
    const branch = (lo: number, hi: number): string[] => {
      if (hi - lo === 1) {
        this.pushScope();
        const idx = ctx.idx.map((x, a) => (a === axis && starts[lo] ? `(${x} - ${starts[lo]})` : x));
        this.line(`${v} = ${this.emit(node.srcs[lo], this.newCtx(idx, null, ctx.valid))};`);
        return this.popScope();
      }
      const mid = (lo + hi) >> 1;
      return [`if (${ctx.idx[axis]} < ${starts[mid]}) {`, ...branch(lo, mid), '} else {', ...branch(mid, hi), '}'];
    };
    for (const l of branch(0, node.srcs.length)) this.line(l);
    return v;
  }

  /**
   * A reduce as a loop nest over its axes (in axis order, so values combine in the order of
   * their flat index, as the reference does), accumulating in float64.
   */
  private reduce(node: LazyNode, kind: ReduceName, axes: readonly number[], ctx: IndexCtx): string {
    const src = node.srcs[0];
    const isArg = kind === 'argmax' || kind === 'argmin';
    const acc = this.fresh('acc');
    const best = this.fresh('arg');
    this.line(`let ${acc} = ${kind === 'prod' ? '1' : kind === 'max' ? '-Infinity' : kind === 'min' ? 'Infinity' : '0'};`);
    if (isArg) this.line(`let ${best} = -1;`);
    const sorted = [...axes].sort((a, b) => a - b);
    // An arg reduce's position counts over the axes in the order given, as the reference's.
    const redStrides = stridesOf(axes.map((a) => src.shape[a]));
    const idx = [...ctx.idx];
    const loops = sorted.map((a) => {
      const r = this.fresh('r');
      idx[a] = r;
      return `for (let ${r} = 0; ${r} < ${src.shape[a]}; ${r}++) {`;
    });
    this.pushScope();
    const x = this.emit(src, this.newCtx(idx, null, ctx.valid));
    switch (kind) {
      case 'sum':
        this.line(`${acc} += ${x};`);
        break;
      case 'prod':
        this.line(`${acc} *= ${x};`);
        break;
      case 'max':
        this.line(`${acc} = ${x} > ${acc} || ${x} !== ${x} ? ${x} : ${acc};`);
        break;
      case 'min':
        this.line(`${acc} = ${x} < ${acc} || ${x} !== ${x} ? ${x} : ${acc};`);
        break;
      default: {
        // The first extreme wins ties; a NaN is the extreme of both, and the first NaN wins.
        const pos = axes.map((a, k) => (redStrides[k] === 1 ? idx[a] : `${idx[a]} * ${redStrides[k]}`)).join(' + ') || '0';
        const cmp = kind === 'argmax' ? '>' : '<';
        this.line(`if (${best} < 0 || (${acc} === ${acc} && (${x} !== ${x} || ${x} ${cmp} ${acc}))) { ${acc} = ${x}; ${best} = ${pos}; }`);
      }
    }
    const body = this.popScope();
    for (const l of [...loops, ...body, ...loops.map(() => '}')]) this.line(l);
    const v = this.fresh('v');
    this.line(`const ${v} = ${isArg ? best : rounded(acc, node.dtype)};`);
    return v;
  }
}

/** `value` as a typed array of `dtype` stores it. */
function rounded1(value: number, dtype: DType): number {
  if (dtype === 'float32') return Math.fround(value);
  if (dtype === 'int32') return value | 0;
  return value & 255;
}

/** The flat index, in a contiguous array of `shape`, of the element at `ctx`. */
function linearIndex(shape: Shape, ctx: IndexCtx): string {
  if (ctx.flat !== null) return ctx.flat;
  const strides = stridesOf(shape);
  const terms = shape.flatMap((d, i) => (d === 1 ? [] : [strides[i] === 1 ? ctx.idx[i] : `${ctx.idx[i]} * ${strides[i]}`]));
  return terms.length ? terms.join(' + ') : '0';
}

/** Drops `const` lines whose name nothing reads (index variables a kernel does not need). */
function eliminateDead(lines: readonly string[]): string[] {
  let kept = [...lines];
  for (;;) {
    const uses = new Map<string, number>();
    for (const l of kept) for (const w of l.match(/\b[a-z]+\d+\b/g) ?? []) uses.set(w, (uses.get(w) ?? 0) + 1);
    const next = kept.filter((l) => {
      const m = /^const ([a-z]+\d+) = /.exec(l);
      return !m || uses.get(m[1])! > 1;
    });
    if (next.length === kept.length) return next;
    kept = next;
  }
}
