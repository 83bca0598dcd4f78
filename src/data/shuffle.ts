// Seeded Fisher–Yates shuffles of row indices on the host (the rows themselves are then gathered
// on the device). Its own small generator, since webgrad's random ops draw on the device.

/**
 * Uniform numbers in [0, 1) from a mulberry32 stream: seeded, or from Math.random without one
 * (as tf.data's unseeded shuffle, a new order each run).
 */
export function uniformStream(seed?: number): () => number {
  let s = (seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `rows` in place with uniform draws from `next` and returns it. */
export function shuffleInPlace(rows: Int32Array, next: () => number): Int32Array {
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = rows[i];
    rows[i] = rows[j];
    rows[j] = t;
  }
  return rows;
}
