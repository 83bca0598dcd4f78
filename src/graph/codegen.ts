// The one code generator: turns a FusedKernel into WGSL by filling the slots of
// shaders/fused.wgsl. Each view becomes index arithmetic on i32 index variables; each
// elementwise node becomes one `let`; a reduce becomes a loop (or a workgroup tree reduction
// when few outputs each reduce many values). Shapes are baked in as constants, numbers are
// read from the kernel's scalar block (src/graph/scalars.ts), so the source text is the
// kernel's structural key. Big elementwise kernels loop over several elements per invocation,
// as vec4s where every array is read at the element's own index (a second pass finds those).
// The same emitter writes the `epilogue` function that hand-written kernels splice in (the
// elementwise chain fused onto their output), after their `//!INCLUDE` lines are replaced by
// the shared pieces in shaders/lib (WGSL has no includes).

import fusedTemplate from '../../shaders/fused.wgsl?raw';
import convGeometry from '../../shaders/lib/conv-geometry.wgsl?raw';
import recurrent from '../../shaders/lib/recurrent.wgsl?raw';
import threefry from '../../shaders/lib/threefry.wgsl?raw';
import rowStats from '../../shaders/lib/row-stats.wgsl?raw';
import prelude from '../../shaders/prelude.wgsl?raw';
import type { DType } from '../dtype';
import { grid, storageType, wgslLiteral, wgslType, WORKGROUP_SIZE } from './launch';
import { sizeOf, stridesOf, type Shape } from '../shape';
import type { GpuTarget, LazyNode, ReduceName, RuntimeSize, ViewOp } from './ir';
import { runtimeScalar, scalarBlockDecl, scalarRead } from './scalars';
import { ScopedEmitter } from './scoped-emitter';
import type { CustomKernel, FusedKernel } from './schedule';

export interface GeneratedKernel {
  readonly code: string;
  readonly workgroups: readonly [number, number, number];
  /** The nodes whose numbers fill the scalar block, in slot order (empty: no block). */
  readonly scalars: readonly LazyNode[];
}

/** A fused epilogue: the hand-written kernel's final code and the scalars its epilogue reads. */
export interface SplicedKernel {
  readonly code: string;
  readonly scalars: readonly LazyNode[];
}

/**
 * Replaces the slots of a template: `//!NAME` lines, and `//!NAME_BEGIN` … `//!NAME_END` blocks
 * whose default content keeps the unfilled template valid WGSL (blocks without a value keep it).
 */
export function fillSlots(template: string, slots: Record<string, string>): string {
  const blocks = template.replace(/^[ \t]*\/\/!([A-Z_]+)_BEGIN[ \t]*\n([\s\S]*?)^[ \t]*\/\/!\1_END[ \t]*$/gm, (_, name: string, body: string) =>
    name in slots ? slots[name] : body.replace(/\n$/, ''),
  );
  return blocks.replace(/^[ \t]*\/\/!([A-Z_]+)[ \t]*$/gm, (_, name: string) => {
    if (!(name in slots)) throw new Error(`fillSlots: no value for slot ${name}`);
    return slots[name];
  });
}

/** The shared pieces of hand-written kernels (shaders/lib/NAME.wgsl), by NAME. */
const SHADER_LIBRARY: ReadonlyMap<string, string> = new Map([
  ['conv-geometry', convGeometry],
  ['row-stats', rowStats],
  ['recurrent', recurrent],
]);

/** Replaces each `//!INCLUDE NAME` line of a hand-written kernel with shaders/lib/NAME.wgsl. */
export function resolveIncludes(code: string): string {
  return code.replace(/^[ \t]*\/\/!INCLUDE[ \t]+([a-z0-9-]+)[ \t]*$/gm, (_, name: string) => {
    const lib = SHADER_LIBRARY.get(name);
    if (lib === undefined) throw new Error(`resolveIncludes: no shaders/lib/${name}.wgsl`);
    return lib.trimEnd();
  });
}

/**
 * The code of a hand-written kernel with its fused epilogue spliced into the `EPILOGUE` block:
 * the prelude, the epilogue inputs' bindings (after the kernel's inputs and output), its scalar
 * block (group 1, so the kernel's own binding numbers stay) and
 * `fn epilogue(v: f32, idx: u32) -> f32`, whose index math reads the kernel's runtime `sizes`
 * (GpuLaunch.epilogueSizes) where they equal its literals. Without an epilogue the code is returned unchanged.
 */
export function spliceEpilogue(code: string, kernel: CustomKernel, sizes: readonly RuntimeSize[] = []): SplicedKernel {
  if (!kernel.epilogue) return { code, scalars: [] };
  if (!/\/\/!EPILOGUE_BEGIN/.test(code)) throw new Error(`codegen: ${describeKernel(kernel)} has an epilogue but its shader has no //!EPILOGUE_BEGIN block`);
  const emitter = new FusedEmitter(kernel.epilogue, { value: kernel.node, bindingBase: kernel.node.srcs.length + 1, sizes });
  return { code: fillSlots(code, { EPILOGUE: emitter.epilogue() }), scalars: emitter.scalars };
}

function describeKernel(k: CustomKernel): string {
  return k.node.op.kind === 'kernel' ? `kernel ${k.node.op.def.name}` : `node ${k.node.id}`;
}

interface IndexCtx {
  readonly id: number;
  readonly idx: readonly string[];
  /** A WGSL bool expression: false where a pad view reads outside its source. */
  readonly valid: string | null;
  /**
   * The element's flat index in its node's shape where it is known without recombining `idx`
   * (the output's own index, kept through reshapes): a chain of reshapes then loads at it.
   */
  readonly flat: string | null;
  /** The element's lane in its vec4 (vector kernels), else 0. */
  readonly lane: number;
  /** The name of the element's own flat index in the kernel: a load there is a vector kernel's lane. */
  readonly root: string;
}

/**
 * Whether the kernel reduces cooperatively: one workgroup per output element. Where workgroup
 * barriers are dear (a target without shared-memory tiles: SwiftShader), only when the outputs
 * are too few to fill one workgroup of threads looping on their own (bias gradients, column sums
 * over a batch, loop per thread there).
 */
export function isCooperative(k: FusedKernel, target: Pick<GpuTarget, 'sharedMemoryTiles'> = { sharedMemoryTiles: true }): boolean {
  if (!k.reduce) return false;
  const reduceSize = sizeOf(k.reduce.srcs[0].shape) / sizeOf(k.reduce.shape);
  const outputs = sizeOf(k.root.shape);
  return reduceSize >= 128 && outputs <= (target.sharedMemoryTiles ? 16384 : WORKGROUP_SIZE / 2);
}

/**
 * How a cooperative reduce folds its workgroup's partials: 'tree' (halvings, a barrier each: real
 * GPUs) or 'serial' (thread 0 after one barrier: SwiftShader). A kernel family, so tests force each.
 */
export const REDUCE_FOLD_FAMILY = 'reduce-fold';

/**
 * How many items (elements, or vec4s where every array is read at the element's own index) each
 * invocation of an elementwise kernel of ELEMENT_LOOP_MIN elements or more computes: a kernel
 * family, 'many' (8, in a loop: SwiftShader, where each workgroup has a fixed cost; Adam over
 * 1.6M parameters went from 114 to 53 CPU-ms, vec4s giving most of it) or 'one' (real GPUs).
 */
export const ELEMENTWISE_ITEMS_FAMILY = 'elementwise-items';

/**
 * The longest element code (lines of the scalar kernel) a vector kernel writes once per lane: the
 * 4 copies cost compile time (on SwiftShader an Adam update reading an 8-way concat compiled in
 * 150-250 ms as 4 copies, 50 as one; a loop over the lanes kept it short but lost the speed).
 */
const VECTOR_BODY_MAX = 48;

/**
 * The longest element code (lines) a scalar kernel loops over several items per invocation:
 * SwiftShader unrolls the loop, and a 418-line body (a chain of geometric augmentations over
 * 128 images) then compiled for over a minute, against 4 s as one element per invocation.
 */
const LOOP_BODY_MAX = 160;

/** Items per invocation of each ELEMENTWISE_ITEMS_FAMILY variant. */
const ITEMS_PER_INVOCATION: Readonly<Record<string, number>> = { one: 1, many: 8 };

/** What the fused-kernel generator asks of the device: its tiling kind and any forced or measured variant. */
export type ReduceDevice = Pick<GpuTarget, 'sharedMemoryTiles'> & Partial<Pick<GpuTarget, 'variant'>>;

/**
 * The WGSL of fused kernel `kernel` for a device described by `target`: generated once with
 * scalar loads, and again as a vector kernel where that first pass shows one applies.
 */
export function generateFused(kernel: FusedKernel, target?: ReduceDevice): GeneratedKernel {
  const scalar = new FusedEmitter(kernel, null, target);
  const generated = scalar.generate();
  const vector = scalar.vectorArrays();
  if (vector) return new FusedEmitter(kernel, null, target, vector).generate();
  if (!scalar.loopTooLong()) return generated;
  const oneItem: ReduceDevice = {
    sharedMemoryTiles: target?.sharedMemoryTiles ?? true,
    variant: (family, shapeClass) => (family === ELEMENTWISE_ITEMS_FAMILY ? 'one' : target?.variant?.(family, shapeClass)),
  };
  return new FusedEmitter(kernel, null, oneItem).generate();
}

interface EpilogueTarget {
  /** The hand-written kernel's node: the chain reads its value as the argument `v`. */
  readonly value: LazyNode;
  /** The binding of the chain's first input. */
  readonly bindingBase: number;
  /** The kernel's runtime sizes, read in place of equal literals in the chain's index math. */
  readonly sizes: readonly RuntimeSize[];
}

class FusedEmitter extends ScopedEmitter<IndexCtx> {
  private readonly shared: string[] = [];
  private ctxCounter = 0;
  private readonly cooperative: boolean;
  /** Whether workgroup barriers are dear on the device (no shared-memory tiles: SwiftShader). */
  private readonly barriersDear: boolean;
  /** Items (elements, or vec4s of a vector kernel) each invocation computes. */
  private readonly itemsPerInvocation: number;
  /** The WGSL array each input is loaded from: its own binding, or an output it aliases. */
  private readonly inputArray = new Map<LazyNode, string>();
  /** Prefix of input buffer names: `in` in generated kernels, `ep_in` in epilogues. */
  private readonly inputName: string;
  /** The runtime scalars read so far, in slot order. */
  readonly scalars: LazyNode[] = [];
  private readonly scalarSlots = new Map<LazyNode, number>();
  /** Whether a random row was emitted (the code then needs shaders/lib/threefry.wgsl). */
  private random = false;
  /** Each array loaded so far: whether every load was at the element's own flat index. */
  private readonly loadedArrays = new Map<string, boolean>();
  /** The vec4 arrays a vector kernel has read. */
  private readonly vectorLoads = new Set<string>();

  constructor(
    private readonly kernel: FusedKernel,
    private readonly target: EpilogueTarget | null = null,
    device?: ReduceDevice,
    /** The arrays a vector kernel (4 neighbouring elements per loop step) reads and writes as vec4; null: scalar. */
    private readonly vector: ReadonlySet<string> | null = null,
  ) {
    super();
    this.cooperative = target === null && isCooperative(kernel, device);
    const fold = device?.variant?.(REDUCE_FOLD_FAMILY, 'cooperative') ?? (device?.sharedMemoryTiles === false ? 'serial' : 'tree');
    this.barriersDear = fold === 'serial';
    const items = device?.variant?.(ELEMENTWISE_ITEMS_FAMILY, 'elementwise') ?? (device?.sharedMemoryTiles === false ? 'many' : 'one');
    const big = target === null && !this.cooperative && !kernel.reduce && sizeOf(kernel.root.shape) >= ELEMENT_LOOP_MIN;
    this.itemsPerInvocation = big ? ITEMS_PER_INVOCATION[items] ?? 1 : 1;
    this.inputName = target ? 'ep_in' : 'in';
    this.boundInputs().forEach((n, i) => this.inputArray.set(n, `${this.inputName}${i}`));
    for (const [input, output] of kernel.aliases) this.inputArray.set(input, outputName(kernel.outputs.indexOf(output)));
  }

  /** The inputs with a binding of their own, in binding order (aliased ones read an output). */
  private boundInputs(): LazyNode[] {
    return this.kernel.inputs.filter((n) => !this.kernel.aliases.has(n));
  }

  /** The epilogue block: prelude, bindings of the chain's inputs, `fn epilogue`. */
  epilogue(): string {
    const { root } = this.kernel;
    const base = this.target!.bindingBase;
    const bindings = this.boundInputs().map(
      (n, i) => `@group(0) @binding(${base + i}) var<storage, read> ${this.inputName}${i}: array<${storageType(n.dtype)}>;`,
    );
    this.line('let idx = i32(flat);');
    const value = this.emit(root, this.rootCtx(root.shape));
    // Index math nothing reads is dropped: it names the shape, and kernels of different shapes
    // with the same epilogue then share one pipeline.
    return [
      this.library(),
      ...bindings,
      ...this.scalarBlock(),
      'fn epilogue(v: f32, flat: u32) -> f32 {',
      `  ${liveLines(this.scopes[0].lines, value).join('\n  ')}`,
      `  return ${value};`,
      '}',
    ].join('\n');
  }

  generate(): GeneratedKernel {
    const { root, outputs } = this.kernel;
    const inputs = this.boundInputs();
    const size = sizeOf(root.shape);
    const arrayType = (name: string, dtype: DType) => (this.vector?.has(name) ? `vec4<${storageType(dtype)}>` : storageType(dtype));
    const bindings = inputs.map((n, i) => `@group(0) @binding(${i}) var<storage, read> in${i}: array<${arrayType(`in${i}`, n.dtype)}>;`);
    outputs.forEach((o, j) => bindings.push(`@group(0) @binding(${inputs.length + j}) var<storage, read_write> ${outputName(j)}: array<${arrayType(outputName(j), o.dtype)}>;`));

    const lanes = this.vector ? 4 : 1;
    const perInvocation = this.itemsPerInvocation;
    const items = size / lanes;
    const workgroups = grid(this.cooperative ? size : Math.ceil(items / (WORKGROUP_SIZE * perInvocation)));
    const flat = `(wid.y * ${workgroups[0]}u + wid.x)`;
    const looped = this.vector !== null || perInvocation > 1;
    const index = this.cooperative
      ? [`let idx = i32(${flat});`, `let tid = i32(lid.x);`, `if (idx >= ${size}) { return; }`]
      : looped
        ? [`let base = ${flat} * ${WORKGROUP_SIZE * perInvocation}u + lid.x;`]
        : [`let idx = i32(${flat} * ${WORKGROUP_SIZE}u + lid.x);`, `if (idx >= ${size}) { return; }`];
    if (looped) this.line(this.vector ? 'let idx = i32(q * 4u);' : 'let idx = i32(q);');

    // Outputs of one shape share their index variables, so one output read by another is
    // computed once (the emitter memoizes by node and index context).
    // Every value is computed before the first store: an output may be written over the input
    // it aliases (an in-place assign), which later loads must not see.
    const values = Array.from({ length: lanes }, (_, lane) => {
      const flatIndex = this.vector ? this.laneIndex(lane) : 'idx';
      const contexts = new Map<string, IndexCtx>();
      return outputs.map((o) => {
        const shapeKey = o.shape.join('x');
        let ctx = contexts.get(shapeKey);
        if (!ctx) contexts.set(shapeKey, (ctx = this.rootCtx(o.shape, flatIndex, lane)));
        return this.emit(o, ctx);
      });
    });
    outputs.forEach((o, j) => {
      const stored = values.map((v) => (o.dtype === 'bool' ? `select(0u, 1u, ${v[j]})` : v[j]));
      const store = this.vector ? `${outputName(j)}[q] = vec4<${storageType(o.dtype)}>(${stored.join(', ')});` : `${outputName(j)}[idx] = ${stored[0]};`;
      this.line(this.cooperative ? `if (tid == 0) { ${store} }` : store);
    });
    // A vector kernel loads each vec4 once, before any element's value (and so before any store).
    const lines = this.scopes[0].lines;
    if (this.vector) lines.splice(1, 0, ...[...this.vectorLoads].map((a) => `let ${a}_v = ${a}[q];`));
    const body = looped ? invocationLoop(lines, perInvocation, items) : lines;

    const code = fillSlots(fusedTemplate, {
      PRELUDE: this.library(),
      BINDINGS: [...bindings, ...this.scalarBlock()].join('\n'),
      SHARED: this.shared.join('\n'),
      INDEX: index.join('\n  '),
      BODY: body.join('\n  '),
    });
    return { code, workgroups, scalars: this.scalars };
  }

  /**
   * The arrays a vector version of this (scalar, already generated) kernel reads as vec4: those
   * loaded only at the element's own flat index, outputs included; null where no vector version
   * applies (a reduce, a size not a multiple of 4 or under ELEMENT_LOOP_MIN, an output read at
   * another index, or an element's code too long or branching, a concat's, to write 4 times).
   */
  vectorArrays(): Set<string> | null {
    const size = sizeOf(this.kernel.root.shape);
    if (this.kernel.reduce || this.cooperative || size % 4 !== 0 || size < ELEMENT_LOOP_MIN) return null;
    const body = this.scopes[0].lines;
    if (body.length > VECTOR_BODY_MAX || body.some((l) => !l.startsWith('let ') && !/^out\d*\[/.test(l))) return null;
    const outputs = this.kernel.outputs.map((_, j) => outputName(j));
    if (outputs.some((o) => this.loadedArrays.get(o) === false)) return null;
    const inputs = this.boundInputs().map((_, i) => `${this.inputName}${i}`);
    return new Set([...inputs.filter((a) => this.loadedArrays.get(a) !== false), ...outputs]);
  }

  /** Whether this (generated) kernel loops over several items with an element code too long to (see LOOP_BODY_MAX). */
  loopTooLong(): boolean {
    return this.itemsPerInvocation > 1 && this.scopes[0].lines.length > LOOP_BODY_MAX;
  }

  /** The flat index of lane `lane` of the vec4 at `idx` (a `let` for lanes past the first). */
  private laneIndex(lane: number): string {
    if (lane === 0) return 'idx';
    const v = this.fresh('e');
    this.line(`let ${v} = idx + ${lane};`);
    return v;
  }

  /** The prelude, and the random generator when a random row is used. */
  private library(): string {
    return this.random ? `${prelude}\n${threefry}` : prelude;
  }

  /** The scalar block's declaration, when the code reads any runtime scalar. */
  private scalarBlock(): string[] {
    return this.scalars.length ? [scalarBlockDecl(this.scalars.length)] : [];
  }

  /** The WGSL expression of `node`'s runtime scalar: its slot in the block. */
  private scalar(node: LazyNode): string {
    let slot = this.scalarSlots.get(node);
    if (slot === undefined) {
      slot = this.scalars.push(node) - 1;
      this.scalarSlots.set(node, slot);
    }
    return scalarRead(node, slot);
  }

  /** A context derived from `parent` (a view's source): the same element, so the same lane and root index. */
  private newCtx(parent: IndexCtx, idx: readonly string[], valid: string | null, flat: string | null = null): IndexCtx {
    return { id: this.ctxCounter++, idx, valid, flat, lane: parent.lane, root: parent.root };
  }

  /** A size in index math: the epilogue's kernel reads it at run time where it holds that value, else a literal. */
  private readonly size = (n: number): string => this.target?.sizes.find((s) => s.value === n && n > 1)?.wgsl ?? `${n}`;

  /** The context of the element at flat index `flat` of `shape`: lane `lane` of a vector kernel's vec4, else 0. */
  private rootCtx(shape: Shape, flat = 'idx', lane = 0): IndexCtx {
    const strides = stridesOf(shape);
    const idx = shape.map((d, i) => {
      if (d === 1) return '0';
      const v = this.fresh('i');
      const div = strides[i] === 1 ? flat : `(${flat} / ${this.size(strides[i])})`;
      this.line(`let ${v} = ${i === 0 ? div : `${div} % ${this.size(d)}`};`);
      return v;
    });
    return { id: this.ctxCounter++, idx, valid: null, flat, lane, root: flat };
  }

  protected compute(node: LazyNode, ctx: IndexCtx): string {
    if (node === this.target?.value) return 'v';
    const input = this.inputArray.get(node);
    if (input !== undefined) return this.load(input, node, ctx);
    const op = node.op;
    switch (op.kind) {
      case 'const':
        return runtimeScalar(node) === null ? wgslLiteral(op.value, node.dtype) : this.scalar(node);
      case 'view':
        return this.view(node, op.view, ctx);
      case 'elementwise': {
        const args = node.srcs.map((s) => this.emit(s, ctx));
        if (op.def.usesParam) args.push(this.scalar(node));
        if (op.def.random) {
          this.random = true;
          args.push(`u32(${linearIndex(node.shape, ctx)})`);
        }
        const v = this.fresh('v');
        const types = { in: node.srcs.map((s) => s.dtype), out: node.dtype, param: op.param };
        this.line(`let ${v}: ${wgslType(node.dtype)} = ${op.def.wgsl(args, types)};`);
        return v;
      }
      case 'reduce':
        return this.reduce(node, op.reduce, op.axes, ctx);
      case 'buffer':
      case 'kernel':
        throw new Error(`codegen: node ${node.id} (${op.kind}) should be a kernel input`);
    }
  }

  private load(array: string, node: LazyNode, ctx: IndexCtx): string {
    let lin = linearIndex(node.shape, ctx, this.size);
    const own = ctx.valid === null && lin === ctx.root;
    this.loadedArrays.set(array, own && this.loadedArrays.get(array) !== false);
    if (ctx.valid) lin = `select(0, ${lin}, ${ctx.valid})`;
    const v = this.fresh('x');
    const raw = this.vector?.has(array) ? this.laneLoad(array, own, ctx.lane) : `${array}[u32(${lin})]`;
    this.line(`let ${v} = ${node.dtype === 'bool' ? `(${raw} != 0u)` : raw};`);
    return v;
  }

  /** Lane `lane` of `array`'s vec4, loaded once at the top of the element loop. */
  private laneLoad(array: string, own: boolean, lane: number): string {
    if (!own) throw new Error(`codegen: ${array} is read as vec4 but loaded at another index`);
    this.vectorLoads.add(array);
    return `${array}_v[${lane}]`;
  }

  private view(node: LazyNode, view: ViewOp, ctx: IndexCtx): string {
    if (view.kind === 'concat') return this.concat(node, view.axis, ctx);
    const src = node.srcs[0];
    const out = node.shape;
    const inn = src.shape;
    switch (view.kind) {
      case 'permute': {
        const idx = new Array<string>(inn.length);
        view.perm.forEach((p, i) => (idx[p] = ctx.idx[i]));
        return this.emit(src, this.newCtx(ctx, idx, ctx.valid));
      }
      case 'expand':
        return this.emit(src, this.newCtx(ctx, inn.map((d, i) => (d === 1 ? '0' : ctx.idx[i])), ctx.valid));
      case 'shrink':
        return this.emit(src, this.newCtx(ctx, ctx.idx.map((x, i) => (view.begin[i] ? `(${x} + ${view.begin[i]})` : x)), ctx.valid));
      case 'pad': {
        const idx = ctx.idx.map((x, i) => (view.before[i] ? `(${x} - ${view.before[i]})` : x));
        const conds = idx.flatMap((x, i) => (inn[i] === out[i] ? [] : [`(${x} >= 0 && ${x} < ${inn[i]})`]));
        const valid = this.fresh('ok');
        this.line(`let ${valid} = ${conds.length ? conds.join(' && ') : 'true'};`);
        const inner = this.emit(src, this.newCtx(ctx, idx, ctx.valid ? `(${ctx.valid} && ${valid})` : valid));
        const v = this.fresh('v');
        this.line(`let ${v} = select(${wgslLiteral(0, node.dtype)}, ${inner}, ${valid});`);
        return v;
      }
      case 'reshape':
        if (out.length === inn.length && out.every((d, i) => d === inn[i])) return this.emit(src, ctx);
        return this.emit(src, this.reshapeCtx(out, inn, ctx));
    }
  }

  /**
   * A concat: a binary search over the sources' ranges of `axis`, each branch reading only its
   * source, so every output element reads one value whatever the number of sources.
   */
  private concat(node: LazyNode, axis: number, ctx: IndexCtx): string {
    const v = this.fresh('v');
    this.line(`var ${v}: ${wgslType(node.dtype)};`);
    const starts = [0];
    for (const s of node.srcs) starts.push(starts[starts.length - 1] + s.shape[axis]);
    const branch = (lo: number, hi: number): string[] => {
      if (hi - lo === 1) {
        this.pushScope();
        const idx = ctx.idx.map((x, a) => (a === axis && starts[lo] ? `(${x} - ${starts[lo]})` : x));
        this.line(`${v} = ${this.emit(node.srcs[lo], this.newCtx(ctx, idx, ctx.valid))};`);
        return this.popScope();
      }
      const mid = (lo + hi) >> 1;
      const indent = (l: string) => `  ${l}`;
      return [`if (${ctx.idx[axis]} < ${starts[mid]}) {`, ...branch(lo, mid).map(indent), '} else {', ...branch(mid, hi).map(indent), '}'];
    };
    for (const l of branch(0, node.srcs.length)) this.line(l);
    return v;
  }

  /**
   * The source context of a reshape: indices direct when only size-1 axes differ, else via the
   * flat index, which a reshape keeps (so it is computed once along a chain of them).
   */
  private reshapeCtx(out: Shape, inn: Shape, ctx: IndexCtx): IndexCtx {
    const outReal = out.flatMap((d, i) => (d === 1 ? [] : [i]));
    const inReal = inn.flatMap((d, i) => (d === 1 ? [] : [i]));
    if (outReal.length === inReal.length && outReal.every((o, k) => out[o] === inn[inReal[k]])) {
      const res = inn.map(() => '0');
      inReal.forEach((j, k) => (res[j] = ctx.idx[outReal[k]]));
      return this.newCtx(ctx, res, ctx.valid, ctx.flat);
    }
    let flat = ctx.flat;
    if (flat === null) {
      flat = this.fresh('f');
      this.line(`let ${flat} = ${linearIndex(out, ctx)};`);
    }
    const inStrides = stridesOf(inn);
    const idx = inn.map((d, j) => {
      if (d === 1) return '0';
      const v = this.fresh('i');
      const div = inStrides[j] === 1 ? flat : `(${flat} / ${inStrides[j]})`;
      this.line(`let ${v} = ${j === 0 ? div : `${div} % ${d}`};`);
      return v;
    });
    return this.newCtx(ctx, idx, ctx.valid, flat);
  }

  private reduce(node: LazyNode, kind: ReduceName, axes: readonly number[], ctx: IndexCtx): string {
    const src = node.srcs[0];
    const valueType = wgslType(src.dtype);
    const isArg = kind === 'argmax' || kind === 'argmin';
    const count = axes.reduce((n, a) => n * src.shape[a], 1);
    const acc = this.fresh('acc');
    const best = this.fresh('arg');
    this.line(`var ${acc}: ${valueType} = ${reduceInit(kind, src.dtype)};`);
    if (isArg) this.line(`var ${best}: i32 = 0;`);

    const r = this.fresh('r');
    const coop = this.cooperative && node === this.kernel.reduce;
    this.line(coop ? `for (var ${r}: i32 = tid; ${r} < ${count}; ${r} += ${WORKGROUP_SIZE}) {` : `for (var ${r}: i32 = 0; ${r} < ${count}; ${r}++) {`);
    this.pushScope();
    const axisSizes = axes.map((a) => src.shape[a]);
    const axisStrides = stridesOf(axisSizes);
    const idx = [...ctx.idx];
    axes.forEach((a, k) => {
      const v = this.fresh('i');
      const div = axisStrides[k] === 1 ? r : `(${r} / ${axisStrides[k]})`;
      this.line(`let ${v} = ${k === 0 ? div : `${div} % ${axisSizes[k]}`};`);
      idx[a] = v;
    });
    const x = this.emit(src, this.newCtx(ctx, idx, ctx.valid));
    if (isArg) {
      this.line(`if (${r} == ${coop ? 'tid' : '0'} || ${argWins(kind, valueType, x, acc)}) { ${acc} = ${x}; ${best} = ${r}; }`);
    } else {
      this.line(`${acc} = ${reduceCombine(kind, acc, x, valueType)};`);
    }
    const body = this.popScope();
    for (const l of body) this.line(`  ${l}`);
    this.line('}');
    if (!coop) return isArg ? best : acc;
    return this.treeReduce(kind, valueType, acc, best, count);
  }

  /**
   * Combines the 64 per-thread partials of a cooperative reduce in workgroup memory: a tree of
   * halvings, or where barriers are dear thread 0 folds them in order after one barrier (on
   * SwiftShader a barrier slows the whole kernel; 6 fewer took 16 sums of 4096 values from
   * 2.6 to 2.2 ms). Only thread 0's value is stored.
   */
  private treeReduce(kind: ReduceName, valueType: string, acc: string, best: string, count: number): string {
    const isArg = kind === 'argmax' || kind === 'argmin';
    this.shared.push(`var<workgroup> wg_acc: array<${valueType}, ${WORKGROUP_SIZE}>;`);
    if (isArg) this.shared.push(`var<workgroup> wg_arg: array<i32, ${WORKGROUP_SIZE}>;`);
    this.line(`wg_acc[tid] = ${acc};`);
    // Threads that saw no element hold index 2147483647 and lose every comparison.
    if (isArg) this.line(`wg_arg[tid] = select(${best}, 2147483647, tid >= ${count});`);
    this.line('workgroupBarrier();');
    // Partial `o` (index `oi`) into the value (index) held at `at` / `atArg`.
    const combine = (at: string, atArg: string, o: string, oi: string): string => {
      if (!isArg) return `${at} = ${reduceCombine(kind, at, o, valueType)};`;
      const tie = valueType === 'f32' ? `(${o} == ${at} || (wg_isnan(${o}) && wg_isnan(${at})))` : `${o} == ${at}`;
      const wins = `${oi} != 2147483647 && (${atArg} == 2147483647 || ${argWins(kind, valueType, o, at)} || (${tie} && ${oi} < ${atArg}))`;
      return `if (${wins}) { ${at} = ${o}; ${atArg} = ${oi}; }`;
    };
    const v = this.fresh('red');
    // Products fold as a tree everywhere: pairwise products of partials underflow later than a
    // running product, which reaches 0 before it meets an infinity (0 × Inf = NaN where PyTorch
    // gives Inf).
    if (this.barriersDear && kind !== 'prod') {
      const vi = this.fresh('redArg');
      this.line(`var ${v} = wg_acc[0];`);
      if (isArg) this.line(`var ${vi} = wg_arg[0];`);
      this.line(`if (tid == 0) {`);
      this.line(`  for (var s: i32 = 1; s < ${WORKGROUP_SIZE}; s++) { ${combine(v, vi, 'wg_acc[s]', 'wg_arg[s]')} }`);
      this.line('}');
      return isArg ? vi : v;
    }
    this.line(`for (var s: i32 = ${WORKGROUP_SIZE / 2}; s > 0; s = s >> 1u) {`);
    this.line(`  if (tid < s) { ${combine('wg_acc[tid]', 'wg_arg[tid]', 'wg_acc[tid + s]', 'wg_arg[tid + s]')} }`);
    this.line('  workgroupBarrier();');
    this.line('}');
    this.line(`let ${v} = ${isArg ? 'wg_arg[0]' : 'wg_acc[0]'};`);
    return v;
  }
}

/** Elementwise kernels of at least this many elements compute several per invocation (or a vec4). */
export const ELEMENT_LOOP_MIN = 4096;

/**
 * `body` inside the invocation's loop over `count` items (elements, or vec4s of a vector
 * kernel) 64 apart, so neighbouring invocations stay on neighbouring items; `items` in all.
 */
function invocationLoop(body: readonly string[], count: number, items: number): string[] {
  return [
    `for (var k = 0u; k < ${count}u; k++) {`,
    `  let q = base + k * ${WORKGROUP_SIZE}u;`,
    `  if (q >= ${items}u) { break; }`,
    ...body.map((l) => `  ${l}`),
    '}',
  ];
}

/** `lines` without the single-line `let`s whose names neither a later kept line nor `value` reads. */
function liveLines(lines: readonly string[], value: string): string[] {
  const kept: string[] = [];
  let reads = value;
  for (let i = lines.length - 1; i >= 0; i--) {
    const name = /^let (\w+) = [^\n]*;$/.exec(lines[i])?.[1];
    if (name && !new RegExp(`\\b${name}\\b`).test(reads)) continue;
    kept.unshift(lines[i]);
    reads += `\n${lines[i]}`;
  }
  return kept;
}

/** The flat index, in a contiguous array of `shape`, of the element at `ctx` (an i32 expression); `size` spells a stride. */
function linearIndex(shape: Shape, ctx: IndexCtx, size: (n: number) => string = String): string {
  if (ctx.flat !== null) return ctx.flat;
  const strides = stridesOf(shape);
  const terms = shape.flatMap((d, i) => (d === 1 ? [] : [strides[i] === 1 ? ctx.idx[i] : `${ctx.idx[i]} * ${size(strides[i])}`]));
  return terms.length ? terms.join(' + ') : '0';
}

/** The WGSL name of a generated kernel's output `j`. */
function outputName(j: number): string {
  return j === 0 ? 'out' : `out${j}`;
}

function reduceInit(kind: ReduceName, dtype: DType): string {
  switch (kind) {
    case 'sum':
      return wgslLiteral(0, dtype);
    case 'prod':
      return wgslLiteral(1, dtype);
    case 'max':
      return dtype === 'float32' ? wgslLiteral(-Infinity, dtype) : '(-2147483647i - 1i)';
    case 'min':
      return dtype === 'float32' ? wgslLiteral(Infinity, dtype) : '2147483647i';
    case 'argmax':
    case 'argmin':
      return wgslLiteral(0, dtype);
  }
}

/** Whether `x` beats the best so far `acc` of an argmax/argmin: a NaN beats any number (PyTorch). */
function argWins(kind: ReduceName, valueType: string, x: string, acc: string): string {
  const cmp = `${x} ${kind === 'argmax' ? '>' : '<'} ${acc}`;
  return valueType === 'f32' ? `(!wg_isnan(${acc}) && (wg_isnan(${x}) || ${cmp}))` : cmp;
}

/** Float max/min go through the prelude's NaN-propagating versions (PyTorch gives NaN). */
function reduceCombine(kind: ReduceName, a: string, b: string, valueType: string): string {
  const fn = valueType === 'f32' ? 'wg_' : '';
  switch (kind) {
    case 'sum':
      return `${a} + ${b}`;
    case 'prod':
      return `${a} * ${b}`;
    case 'max':
      return `${fn}max(${a}, ${b})`;
    case 'min':
      return `${fn}min(${a}, ${b})`;
    default:
      throw new Error(`reduceCombine: ${kind} tracks an index`);
  }
}
