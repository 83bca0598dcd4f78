// Threefry 2x32-20 for the CPU backend: the same code as shaders/lib/threefry.wgsl, so both
// backends draw the same numbers bit for bit (normals within float rounding). Pure functions of
// (seed, stream, index); the global stream that picks seed and stream is src/ops/random.ts.

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24];
const PARITY = 0x1bd11bda;
const UNIT = 5.9604644775390625e-8; // 2^-24

/** Threefry 2x32-20 of counter (c0, c1) under key (k0, k1), written into `out`. */
export function threefry(c0: number, c1: number, k0: number, k1: number, out: Uint32Array): Uint32Array {
  const ks = [k0 >>> 0, k1 >>> 0, (PARITY ^ k0 ^ k1) >>> 0];
  let x0 = (c0 + ks[0]) >>> 0;
  let x1 = (c1 + ks[1]) >>> 0;
  for (let round = 0; round < 20; round++) {
    const r = ROTATIONS[round % 8];
    x0 = (x0 + x1) >>> 0;
    x1 = (((x1 << r) | (x1 >>> (32 - r))) ^ x0) >>> 0;
    if (round % 4 === 3) {
      const s = (round + 1) / 4;
      x0 = (x0 + ks[s % 3]) >>> 0;
      x1 = (x1 + ks[(s + 1) % 3] + s) >>> 0;
    }
  }
  out[0] = x0;
  out[1] = x1;
  return out;
}

const words = new Uint32Array(2);

/** The two words of element `index` of the draw (seed, stream). */
function randomBits(seed: number, stream: number, index: number): Uint32Array {
  return threefry(index, stream >>> 0, seed >>> 0, 0, words);
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
