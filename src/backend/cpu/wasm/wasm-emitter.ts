// A small WebAssembly binary emitter: instructions appended to a byte buffer (`Code`) and a module
// of exported functions over one imported memory (`emitModule`), in the binary format of the core
// spec with 128-bit SIMD. It knows encodings only, nothing of webgrad's graphs (./fused-wasm.ts).

/** Value types (binary encodings). */
export const ValType = {
  i32: 0x7f,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
} as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

/** The SIMD instructions the generators use, by their 0xFD-prefixed opcode. */
export const Simd = {
  load: 0x00,
  store: 0x0b,
  const: 0x0c,
  shuffle: 0x0d,
  f32x4Splat: 0x13,
  f64x2Splat: 0x14,
  f32x4ExtractLane: 0x1f,
  f64x2ExtractLane: 0x21,
  i32x4Eq: 0x37,
  i32x4Ne: 0x38,
  f32x4Eq: 0x41,
  f32x4Ne: 0x42,
  f32x4Lt: 0x43,
  f32x4Gt: 0x44,
  f32x4Le: 0x45,
  f32x4Ge: 0x46,
  not: 0x4d,
  and: 0x4e,
  or: 0x50,
  bitselect: 0x52,
  load64Zero: 0x5d,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  f32x4Ceil: 0x67,
  f32x4Floor: 0x68,
  f32x4Nearest: 0x6a,
  f32x4Abs: 0xe0,
  f32x4Neg: 0xe1,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Min: 0xe8,
  f32x4Max: 0xe9,
  f64x2Sqrt: 0xef,
  f64x2Add: 0xf0,
  f64x2Div: 0xf3,
  f64x2Min: 0xf4,
  f64x2Max: 0xf5,
} as const;
export type Simd = (typeof Simd)[keyof typeof Simd];

/** Unsigned LEB128. */
function uleb(n: number, out: number[]): void {
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

/** Signed LEB128 of a 32-bit integer. */
function sleb(n: number, out: number[]): void {
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

const scratch = new DataView(new ArrayBuffer(8));

/** A function body under construction: each method appends one instruction. */
export class Code {
  readonly bytes: number[] = [];
  private readonly localTypes: ValType[] = [];

  constructor(private readonly paramCount: number) {}

  /** Declares a local of `type`; returns its index. */
  local(type: ValType): number {
    return this.paramCount + this.localTypes.push(type) - 1;
  }

  /** The locals declaration of the body, grouped as the binary format wants. */
  localsBytes(): number[] {
    const out: number[] = [];
    const groups: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(groups.length, out);
    for (const [count, t] of groups) {
      uleb(count, out);
      out.push(t);
    }
    return out;
  }

  private op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }

  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  end(): this {
    return this.op(0x0b);
  }
  /** Branches to the `depth`-th enclosing label. */
  br(depth: number): this {
    return this.op(0x0c, depth);
  }
  brIf(depth: number): this {
    return this.op(0x0d, depth);
  }
  get(i: number): this {
    this.op(0x20);
    uleb(i, this.bytes);
    return this;
  }
  set(i: number): this {
    this.op(0x21);
    uleb(i, this.bytes);
    return this;
  }
  i32(n: number): this {
    this.op(0x41);
    sleb(n, this.bytes);
    return this;
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32GeU(): this {
    return this.op(0x4f);
  }
  f64Add(): this {
    return this.op(0xa0);
  }
  f32DemoteF64(): this {
    return this.op(0xb6);
  }
  /** f32.load at the address on the stack plus `offset` bytes. */
  f32Load(offset: number): this {
    return this.mem(0x2a, 2, offset);
  }
  f32Store(offset: number): this {
    return this.mem(0x38, 2, offset);
  }
  f64Store(offset: number): this {
    return this.mem(0x39, 3, offset);
  }
  v128Load(offset: number): this {
    return this.simdMem(Simd.load, offset);
  }
  v128Store(offset: number): this {
    return this.simdMem(Simd.store, offset);
  }
  /** Loads 8 bytes into the low half of a v128 (two f32), zeroing the rest. */
  v128Load64Zero(offset: number): this {
    return this.simdMem(Simd.load64Zero, offset);
  }
  /** A v128 whose four f32 lanes are `value` (rounded to f32). */
  f32x4Const(value: number): this {
    scratch.setFloat32(0, value, true);
    const lane = [0, 1, 2, 3].map((i) => scratch.getUint8(i));
    return this.v128Const([...lane, ...lane, ...lane, ...lane]);
  }
  /** A v128 of 16 given bytes (little-endian lanes). */
  v128Const(bytes: readonly number[]): this {
    this.simd(Simd.const);
    return this.op(...bytes);
  }
  /** i8x16.shuffle of the two v128 on the stack: byte `i` of the result is byte `lanes[i]` of their 32. */
  shuffle(lanes: readonly number[]): this {
    this.simd(Simd.shuffle);
    return this.op(...lanes);
  }
  /** A lane extract: `op` then the lane index. */
  lane(op: Simd, index: number): this {
    return this.simd(op).op(index);
  }
  simd(op: Simd): this {
    this.op(0xfd);
    uleb(op, this.bytes);
    return this;
  }

  private mem(opcode: number, align: number, offset: number): this {
    this.op(opcode);
    uleb(align, this.bytes);
    uleb(offset, this.bytes);
    return this;
  }

  /** SIMD loads and stores declare 4-byte alignment: arrays start at multiples of 16, lanes step by 4. */
  private simdMem(op: Simd, offset: number): this {
    this.simd(op);
    uleb(2, this.bytes);
    uleb(offset, this.bytes);
    return this;
  }
}

/** One exported function of a module: its signature and body. */
export interface WasmFunction {
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly code: Code;
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  uleb(content.length, out);
  out.push(...content);
}

function name(s: string, out: number[]): void {
  const bytes = new TextEncoder().encode(s);
  uleb(bytes.length, out);
  out.push(...bytes);
}

/**
 * A module importing `env.memory` (at least `minPages` pages of 64 KiB) and exporting `functions`.
 *
 * ```ts
 * const code = new Code(0);
 * const bytes = emitModule([{ name: 'run', params: [], results: [], code }], 1);
 * new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
 * ```
 */
export function emitModule(functions: readonly WasmFunction[], minPages: number): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(functions.length, types);
  for (const f of functions) {
    types.push(0x60);
    uleb(f.params.length, types);
    types.push(...f.params);
    uleb(f.results.length, types);
    types.push(...f.results);
  }
  section(1, types, out);
  const imports: number[] = [1];
  name('env', imports);
  name('memory', imports);
  imports.push(0x02, 0x00);
  uleb(minPages, imports);
  section(2, imports, out);
  const funcs: number[] = [];
  uleb(functions.length, funcs);
  functions.forEach((_, i) => uleb(i, funcs));
  section(3, funcs, out);
  const exports: number[] = [];
  uleb(functions.length, exports);
  functions.forEach((f, i) => {
    name(f.name, exports);
    exports.push(0x00);
    uleb(i, exports);
  });
  section(7, exports, out);
  const code: number[] = [];
  uleb(functions.length, code);
  for (const f of functions) {
    const body = [...f.code.localsBytes(), ...f.code.bytes, 0x0b];
    uleb(body.length, code);
    code.push(...body);
  }
  section(10, code, out);
  return new Uint8Array(out);
}
