// Compiles a fused kernel's lane form (./fused-expr.ts) to one WebAssembly function: per row, an
// f32x4 loop over four columns at a time, then the tail one lane at a time through the same SIMD
// code. Each row is the f32 operation the JS loop rounds with fround, so results are bit-identical;
// a reduce runs first, summing in float64 lanes as the JS loop sums in float64.

import type { LazyNode } from '../../../graph/ir';
import type { FusedKernel } from '../../../graph/schedule';
import { laneKernel, type Expr, type LaneKernel, type LaneReduce, type Piece } from './fused-expr';
import { Code, emitModule, Simd, ValType } from './wasm-emitter';

/** Where one run's arrays lie in wasm memory (byte offsets), and the module that computes them. */
export interface FusedWasm {
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Bytes of memory the function touches, from 0. */
  readonly memoryBytes: number;
  /** The scalars' float32 slots start at byte 0. */
  readonly scalars: readonly LazyNode[];
  /** Copied in before each run; `zero`: filled with 0 first (pieces do not cover it). */
  readonly regions: readonly { readonly at: number; readonly size: number; readonly pieces: readonly Piece[]; readonly zero: boolean }[];
  /** Copied out after each run. */
  readonly outputs: readonly { readonly at: number; readonly size: number }[];
}

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/** Shuffles: the high eight bytes first; lanes swapped in pairs; the low halves of two vectors. */
const SWAP_HALVES = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
const SWAP_PAIRS = [4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11];
const LOW_PAIRS = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/** Two float64 lanes of 1. */
const F64_ONES = [0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f];

/** Every expression `roots` reach, arguments before their users. */
function reachable(roots: readonly Expr[]): Expr[] {
  const all = new Set<Expr>();
  const visit = (e: Expr) => {
    if (all.has(e)) return;
    if (e.kind === 'row') e.args.forEach(visit);
    all.add(e);
  };
  roots.forEach(visit);
  return [...all];
}

/** All ones for true, as comparisons give masks. */
const TRUE_MASK = new Array<number>(16).fill(255);

/**
 * The WebAssembly form of `kernel` reading `inputs` (in `ins` order, as generateJs takes them),
 * or null where ./fused-expr.ts does not take the kernel.
 *
 * ```ts
 * const w = fusedWasm(kernel, kernel.inputs);
 * if (w) new WebAssembly.Module(w.bytes);
 * ```
 */
export function fusedWasm(kernel: FusedKernel, inputs: readonly LazyNode[]): FusedWasm | null {
  const lanes = laneKernel(kernel, inputs);
  return lanes && new LaneEmitter(lanes).emit();
}

/** Which loop an expression is computed in: once, once per row, or per element. */
const LEVEL = { once: 0, row: 1, element: 2 } as const;
type Level = (typeof LEVEL)[keyof typeof LEVEL];

class LaneEmitter {
  private readonly code = new Code(0);
  private readonly row = this.code.local(ValType.i32);
  private readonly flat = this.code.local(ValType.i32);
  private readonly inner = this.code.local(ValType.i32);
  private readonly locals = new Map<Expr, number>();
  private readonly levels = new Map<Expr, Level>();
  private regionAt: number[] = [];
  /** Expressions computed in the current body (element values are computed again in the tail). */
  private done = new Set<Expr>();

  constructor(private readonly k: LaneKernel) {}

  emit(): FusedWasm {
    const k = this.k;
    let at = align16(4 * k.scalars.length);
    const regions = k.regions.map((r) => {
      const region = { at, size: r.size, pieces: r.pieces, zero: !r.computed && r.pieces.reduce((s, p) => s + p.count, 0) < r.size };
      at += align16(4 * r.size);
      return region;
    });
    this.regionAt = regions.map((r) => r.at);
    const elements = k.rows * k.columns;
    const outputs = k.outputs.map(() => {
      const o = { at, size: elements };
      at += align16(4 * elements);
      return o;
    });

    const all = reachable(k.outputs);
    const byLevel = (l: Level) => all.filter((e) => this.level(e) === l);

    const c = this.code;
    if (k.reduce) this.reducePhase(k.reduce);
    this.done = new Set();
    for (const e of byLevel(LEVEL.once)) this.ensure(e, true);
    const rowBody = () => {
      for (const e of byLevel(LEVEL.row)) this.ensure(e, true);
      const fixed = new Set(this.done);
      this.columnLoops(k.columns, (vector) => {
        this.done = new Set(fixed);
        k.outputs.forEach((e, j) => {
          c.get(this.flat);
          this.value(e, vector);
          // A bool output is stored as 0 and 1, which the copy back turns into its bytes.
          if (e.type === 'mask') c.f32x4Const(1).simd(Simd.and);
          if (vector) c.v128Store(outputs[j].at);
          else c.lane(Simd.f32x4ExtractLane, 0).f32Store(outputs[j].at);
        });
      });
      this.done = fixed;
    };
    c.i32(0).set(this.flat).i32(0).set(this.row);
    if (k.rows === 1) rowBody();
    else {
      c.block().loop();
      c.get(this.row).i32(k.rows).i32GeU().brIf(1);
      const before = new Set(this.done);
      rowBody();
      this.done = before;
      c.get(this.row).i32(1).i32Add().set(this.row);
      c.br(0).end().end();
    }
    const bytes = emitModule([{ name: 'run', params: [], results: [], code: c }], Math.max(1, Math.ceil(at / 65536)));
    return { bytes, memoryBytes: at, scalars: k.scalars, regions, outputs };
  }

  /**
   * The reduce: per column over the rows (leading axes: the JS loop's order, so sums are the same
   * bits) or per row over the columns (trailing: four lanes of partial sums, added at the end).
   * Max and min compare in float32 (exact) and keep a NaN, as the JS loop does.
   */
  private reducePhase(r: LaneReduce): void {
    const c = this.code;
    const out = this.regionAt[r.region];
    this.done = new Set();
    for (const e of reachable([r.value])) if (this.level(e) === LEVEL.once) this.ensure(e, true);
    const fixed = new Set(this.done);
    const sum = r.kind === 'sum';
    const [lo, hi, tail] = [0, 1, 2].map(() => c.local(ValType.v128));
    const init = (...accs: number[]) => {
      for (const a of accs) {
        if (sum) c.v128Const(new Array<number>(16).fill(0));
        else c.f32x4Const(r.kind === 'max' ? -Infinity : Infinity);
        c.set(a);
      }
    };
    /** Adds the value on the stack into `acc` (its low two lanes as float64, or all four into `acc` and `high`). */
    const accumulate = (acc: number, high: number | null) => {
      const t = this.tmp();
      c.set(t);
      if (!sum) return this.extreme(acc, r.kind === 'max');
      c.get(acc).get(t).simd(Simd.f64x2PromoteLowF32x4).simd(Simd.f64x2Add).set(acc);
      if (high !== null) c.get(high).get(t).get(t).shuffle(SWAP_HALVES).simd(Simd.f64x2PromoteLowF32x4).simd(Simd.f64x2Add).set(high);
    };
    const body = (vector: boolean, acc: number, high: number | null) => {
      this.done = new Set(fixed);
      this.value(r.value, vector);
      accumulate(acc, high);
    };
    const vecBytes = 16 * Math.floor(r.columns / 4);
    const columnsBytes = 4 * r.columns;
    if (r.leading) {
      c.i32(0).set(this.inner);
      const columnLoop = (endBytes: number, vector: boolean) => {
        c.block().loop();
        c.get(this.inner).i32(endBytes).i32GeU().brIf(1);
        init(lo, hi);
        c.i32(0).set(this.row).get(this.inner).set(this.flat);
        c.block().loop();
        c.get(this.row).i32(r.rows).i32GeU().brIf(1);
        body(vector, lo, vector ? hi : null);
        c.get(this.row).i32(1).i32Add().set(this.row);
        c.get(this.flat).i32(columnsBytes).i32Add().set(this.flat);
        c.br(0).end().end();
        c.get(this.inner);
        if (sum) c.get(lo).simd(Simd.f32x4DemoteF64x2Zero).get(hi).simd(Simd.f32x4DemoteF64x2Zero).shuffle(LOW_PAIRS);
        else c.get(lo);
        if (vector) c.v128Store(out);
        else c.lane(Simd.f32x4ExtractLane, 0).f32Store(out);
        c.get(this.inner).i32(vector ? 16 : 4).i32Add().set(this.inner);
        c.br(0).end().end();
      };
      if (vecBytes > 0) columnLoop(vecBytes, true);
      if (vecBytes < columnsBytes) columnLoop(columnsBytes, false);
      return;
    }
    c.i32(0).set(this.row).i32(0).set(this.flat);
    c.block().loop();
    c.get(this.row).i32(r.rows).i32GeU().brIf(1);
    init(lo, hi, tail);
    this.columnLoops(r.columns, (vector) => body(vector, vector ? lo : tail, vector ? hi : null));
    c.get(this.row).i32(4).i32Mul();
    if (sum) {
      // ((lo₀ + lo₁) + hi₀ + hi₁) + the tail (each tail lane holds the tail's sum).
      c.get(lo).lane(Simd.f64x2ExtractLane, 0).get(lo).lane(Simd.f64x2ExtractLane, 1).f64Add();
      c.get(hi).lane(Simd.f64x2ExtractLane, 0).f64Add().get(hi).lane(Simd.f64x2ExtractLane, 1).f64Add();
      c.get(tail).lane(Simd.f64x2ExtractLane, 0).f64Add().f32DemoteF64();
    } else {
      const max = r.kind === 'max';
      c.get(lo).get(lo).shuffle(SWAP_HALVES);
      this.extreme(lo, max, true);
      c.get(lo).get(lo).shuffle(SWAP_PAIRS);
      this.extreme(lo, max, true);
      c.get(tail);
      this.extreme(lo, max, true);
      c.get(lo).lane(Simd.f32x4ExtractLane, 0);
    }
    c.f32Store(out);
    c.get(this.row).i32(1).i32Add().set(this.row);
    c.br(0).end().end();
  }

  /** The loops over a row's columns, four at a time and then one lane at a time; `inner` (from 0) and `flat` step with them. */
  private columnLoops(columns: number, body: (vector: boolean) => void): void {
    const c = this.code;
    const vecBytes = 16 * Math.floor(columns / 4);
    c.i32(0).set(this.inner);
    const loop = (endBytes: number, vector: boolean) => {
      c.block().loop();
      c.get(this.inner).i32(endBytes).i32GeU().brIf(1);
      body(vector);
      const step = vector ? 16 : 4;
      c.get(this.inner).i32(step).i32Add().set(this.inner);
      c.get(this.flat).i32(step).i32Add().set(this.flat);
      c.br(0).end().end();
    };
    if (vecBytes > 0) loop(vecBytes, true);
    if (vecBytes < 4 * columns) loop(4 * columns, false);
  }

  /** acc = v where v > acc (max) or v < acc (min), or v is NaN: the JS loop's pick. `onStack`: v is on the stack, else in tmp(). */
  private extreme(acc: number, max: boolean, onStack = false): void {
    const c = this.code;
    const t = this.tmp();
    if (onStack) c.set(t);
    c.get(t).get(acc).get(t).get(acc).simd(max ? Simd.f32x4Gt : Simd.f32x4Lt);
    c.get(t).get(t).simd(Simd.f32x4Ne).simd(Simd.or).simd(Simd.bitselect).set(acc);
  }

  private level(e: Expr): Level {
    let l = this.levels.get(e);
    if (l !== undefined) return l;
    if (e.kind === 'load') l = e.access === 'scalar' ? LEVEL.once : e.access === 'outer' ? LEVEL.row : LEVEL.element;
    else if (e.kind === 'row') l = Math.max(LEVEL.once, ...e.args.map((a) => this.level(a))) as Level;
    else l = LEVEL.once;
    this.levels.set(e, l);
    return l;
  }

  /** Pushes `e`'s lanes (four, or lane 0 splatted where not `vector`), computing them first unless this body has. */
  private value(e: Expr, vector: boolean): void {
    this.ensure(e, vector);
    this.code.get(this.locals.get(e)!);
  }

  /** Computes `e` into its local, unless the current body already has. */
  private ensure(e: Expr, vector: boolean): void {
    if (this.done.has(e)) return;
    const c = this.code;
    if (e.kind === 'row') e.args.forEach((a) => this.ensure(a, vector));
    switch (e.kind) {
      case 'const':
        if (e.type === 'f32') c.f32x4Const(e.value);
        else c.v128Const(e.value ? TRUE_MASK : new Array<number>(16).fill(0));
        break;
      case 'scalar':
        c.i32(0).f32Load(4 * e.slot).simd(Simd.f32x4Splat);
        break;
      case 'load': {
        const at = this.regionAt[e.region];
        if (e.access === 'scalar') c.i32(0).f32Load(at).simd(Simd.f32x4Splat);
        else if (e.access === 'outer') c.get(this.row).i32(4).i32Mul().f32Load(at).simd(Simd.f32x4Splat);
        else {
          c.get(e.access === 'flat' ? this.flat : this.inner);
          if (vector) c.v128Load(at);
          else c.f32Load(at).simd(Simd.f32x4Splat);
        }
        // A bool region holds 0 and 1: true where not 0.
        if (e.type === 'mask') c.f32x4Const(0).simd(Simd.f32x4Ne);
        break;
      }
      case 'row':
        e.args.forEach((a) => this.value(a, vector));
        this.rowOp(e, vector);
        break;
    }
    let local = this.locals.get(e);
    if (local === undefined) this.locals.set(e, (local = c.local(ValType.v128)));
    c.set(local);
    this.done.add(e);
  }

  /** The row's lanes from its arguments on the stack (in order); an argument used twice is read again from its local. */
  private rowOp(e: Expr & { kind: 'row' }, vector: boolean): void {
    const c = this.code;
    const arg = (i: number) => this.value(e.args[i], vector);
    const input = e.args[0].type;
    switch (e.row) {
      case 'neg':
        return void c.simd(Simd.f32x4Neg);
      case 'abs':
        return void c.simd(Simd.f32x4Abs);
      case 'sign': {
        // 1 where x > 0, -1 where x < 0, else x itself (±0, NaN), as Math.sign.
        const x = this.tmp();
        c.set(x).f32x4Const(1).get(x).get(x).f32x4Const(0).simd(Simd.f32x4Gt).simd(Simd.bitselect);
        c.set(this.tmp(1)).f32x4Const(-1).get(this.tmp(1)).get(x).f32x4Const(0).simd(Simd.f32x4Lt);
        return void c.simd(Simd.bitselect);
      }
      case 'sqrt':
        return void c.simd(Simd.f32x4Sqrt);
      case 'rsqrt': {
        // 1 / Math.sqrt(x) rounds once, from float64: each half promoted, computed, demoted.
        const x = this.tmp();
        c.set(x);
        for (const half of [null, SWAP_HALVES]) {
          c.v128Const(F64_ONES).get(x);
          if (half) c.get(x).shuffle(half);
          c.simd(Simd.f64x2PromoteLowF32x4).simd(Simd.f64x2Sqrt).simd(Simd.f64x2Div).simd(Simd.f32x4DemoteF64x2Zero);
        }
        return void c.shuffle(LOW_PAIRS);
      }
      case 'floor':
        return void c.simd(Simd.f32x4Floor);
      case 'ceil':
        return void c.simd(Simd.f32x4Ceil);
      case 'round':
        return void c.simd(Simd.f32x4Nearest);
      case 'square':
        arg(0);
        return void c.simd(Simd.f32x4Mul);
      case 'reciprocal':
        c.set(this.tmp()).f32x4Const(1).get(this.tmp());
        return void c.simd(Simd.f32x4Div);
      case 'relu':
        // x < 0 ? 0 : x (NaN and -0 stay).
        c.set(this.tmp()).f32x4Const(0).get(this.tmp()).get(this.tmp()).f32x4Const(0).simd(Simd.f32x4Lt);
        return void c.simd(Simd.bitselect);
      case 'step':
        c.f32x4Const(0).simd(Simd.f32x4Ge).f32x4Const(1);
        return void c.simd(Simd.and);
      case 'add':
        return void c.simd(Simd.f32x4Add);
      case 'sub':
        return void c.simd(Simd.f32x4Sub);
      case 'mul':
        return void c.simd(Simd.f32x4Mul);
      case 'div':
        return void c.simd(Simd.f32x4Div);
      // Wasm's min and max give NaN when either lane is NaN and order -0 below 0, as the rows do.
      case 'maximum':
        return void c.simd(Simd.f32x4Max);
      case 'minimum':
        return void c.simd(Simd.f32x4Min);
      case 'equal':
        return void c.simd(input === 'f32' ? Simd.f32x4Eq : Simd.i32x4Eq);
      case 'notEqual':
        return void c.simd(input === 'f32' ? Simd.f32x4Ne : Simd.i32x4Ne);
      case 'greater':
        return void c.simd(Simd.f32x4Gt);
      case 'greaterEqual':
        return void c.simd(Simd.f32x4Ge);
      case 'less':
        return void c.simd(Simd.f32x4Lt);
      case 'lessEqual':
        return void c.simd(Simd.f32x4Le);
      case 'logicalNot':
        return void c.simd(Simd.not);
      case 'logicalAnd':
        return void c.simd(Simd.and);
      case 'logicalOr':
        return void c.simd(Simd.or);
      case 'where':
        // bitselect(a, b, mask) wants the mask last: the stack holds c, a, b.
        c.set(this.tmp(1)).set(this.tmp()).set(this.tmp(2)).get(this.tmp()).get(this.tmp(1)).get(this.tmp(2));
        return void c.simd(Simd.bitselect);
      case 'cast':
        if (input === e.type) return;
        // bool → float32: 1 where true; float32 → bool: true where not 0 (NaN too).
        if (e.type === 'f32') return void c.f32x4Const(1).simd(Simd.and);
        return void c.f32x4Const(0).simd(Simd.f32x4Ne);
      default:
        throw new Error(`fused wasm: row ${e.row} has no SIMD form`);
    }
  }

  private readonly temps: number[] = [];

  /** A scratch v128 local (`i`-th), for rows that reorder or reuse their operands. */
  private tmp(i = 0): number {
    while (this.temps.length <= i) this.temps.push(this.code.local(ValType.v128));
    return this.temps[i];
  }
}
