// The 2-D classification data sets of the playground (XOR, circles, two spirals, Gaussian blobs),
// drawn from a seed in [-1, 1]², with Gaussian noise and a train/test split. Plain host arrays.

export type DatasetName = 'xor' | 'circles' | 'spirals' | 'blobs';

/** Points `xy` ([n, 2] row-major) with labels 0/1, split into train and test. */
export interface Points2d {
  xy: Float32Array;
  labels: Int32Array;
}

/** A seeded uniform generator on [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
export const gaussian = (rand: () => number): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

function point(name: DatasetName, i: number, n: number, rand: () => number): [number, number, number] {
  switch (name) {
    case 'xor': {
      // A margin around the axes, as the TensorFlow playground's, so the classes are separable.
      const side = () => (0.1 + 0.9 * rand()) * (rand() < 0.5 ? -1 : 1);
      const x = side();
      const y = side();
      return [x, y, x * y > 0 ? 1 : 0];
    }
    case 'circles': {
      const inner = i % 2 === 0;
      const r = inner ? 0.45 * rand() : 0.65 + 0.35 * rand();
      const a = 2 * Math.PI * rand();
      return [r * Math.cos(a), r * Math.sin(a), inner ? 1 : 0];
    }
    case 'spirals': {
      const label = i % 2;
      const t = (Math.floor(i / 2) / (n / 2)) * 1.75 * 2 * Math.PI;
      const r = t / (1.75 * 2 * Math.PI);
      const a = t + label * Math.PI;
      return [r * Math.sin(a), r * Math.cos(a), label];
    }
    case 'blobs': {
      const label = i % 2;
      const c = label ? 0.45 : -0.45;
      return [c + 0.25 * gaussian(rand), c + 0.25 * gaussian(rand), label];
    }
  }
}

/** `n` points of `name` with noise σ = `noise`, the first `trainFraction` of them for training. */
export function dataset2d(name: DatasetName, n: number, noise: number, trainFraction: number, seed: number): { train: Points2d; test: Points2d } {
  const rand = seededRandom(seed);
  const all = Array.from({ length: n }, (_, i) => point(name, i, n, rand));
  for (const p of all) {
    p[0] += noise * gaussian(rand);
    p[1] += noise * gaussian(rand);
  }
  // Shuffle before splitting (spirals and circles are generated in order).
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const cut = Math.round(n * trainFraction);
  const pack = (ps: [number, number, number][]): Points2d => ({ xy: Float32Array.from(ps.flatMap(([x, y]) => [x, y])), labels: Int32Array.from(ps.map((p) => p[2])) });
  return { train: pack(all.slice(0, cut)), test: pack(all.slice(cut)) };
}
