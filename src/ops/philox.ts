// Philox 4x32-10 for the CPU backend: the same code as shaders/lib/philox.wgsl, so both backends
// draw the same numbers bit for bit (normals within float rounding). Pure functions of
// (seed, stream, index); the global stream that picks seed and stream is src/ops/random.ts.

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const UNIT = 5.9604644775390625e-8; // 2^-24

/** The high word of a * b for u32 a, b (the low word is Math.imul). */
function mulhi(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) >>> 0;
}

/** Philox 4x32-10 of counter `ctr` (4 u32) under key (k0, k1), written into `out`. */
export function philox(ctr: ArrayLike<number>, k0: number, k1: number, out: Uint32Array): Uint32Array {
  let [c0, c1, c2, c3] = [ctr[0] >>> 0, ctr[1] >>> 0, ctr[2] >>> 0, ctr[3] >>> 0];
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
  return out;
}

const words = new Uint32Array(4);
const counter = new Uint32Array(4);

/** The four words of element `index` of the draw (seed, stream). */
function randomBits(seed: number, stream: number, index: number): Uint32Array {
  counter[0] = index;
  counter[1] = stream;
  return philox(counter, seed >>> 0, 0, words);
}

/** The top 24 bits as a float in [0, 1), exact. */
const unit = (bits: number) => (bits >>> 8) * UNIT;

/** Element `index` of a uniform draw in [0, 1). */
export function randomUniform(seed: number, stream: number, index: number): number {
  return unit(randomBits(seed, stream, index)[0]);
}

/** Element `index` of a standard normal draw (Box–Muller, as the WGSL; its float32 log and cos are within 1e-6 of these). */
export function randomNormal(seed: number, stream: number, index: number): number {
  const w = randomBits(seed, stream, index);
  const r = Math.sqrt(-2 * Math.log(unit(w[0]) + UNIT));
  return r * Math.cos(2 * Math.PI * (unit(w[1]) - 0.5));
}

/** Element `index` of an integer draw in [0, range), `range` read as u32; as int32 bits. */
export function randomBelow(seed: number, stream: number, range: number, index: number): number {
  return (randomBits(seed, stream, index)[0] % (range >>> 0)) | 0;
}
