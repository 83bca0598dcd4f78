// Independent references for the conv and pool suites: direct float64 loops over the textbook
// formulas (scatter form for the transposed conv), sharing no code with src/ops/conv.ts or
// src/ops/pool.ts (finite differences are tests/autograd/gradcheck.ts).

/** Output size and leading padding of one axis; TensorFlow's rule for 'same'. */
export function refAxis(size: number, k: number, s: number, d: number, padding: 'valid' | 'same' | number): { out: number; before: number } {
  const span = d * (k - 1) + 1;
  if (padding === 'same') {
    const out = Math.ceil(size / s);
    return { out, before: Math.floor(Math.max(0, (out - 1) * s + span - size) / 2) };
  }
  const p = padding === 'valid' ? 0 : padding;
  return { out: Math.floor((size + 2 * p - span) / s) + 1, before: p };
}

export interface RefConv {
  stride?: [number, number];
  padding?: ['valid' | 'same' | number, 'valid' | 'same' | number];
  dilation?: [number, number];
  groups?: number;
}

/** conv2d of x [n,h,w,cin] with w [kh,kw,cin/groups,cout] → { shape, data }. */
export function refConv2d(x: ArrayLike<number>, xs: readonly number[], w: ArrayLike<number>, ws: readonly number[], o: RefConv = {}) {
  const [n, h, wd, cin] = xs;
  const [kh, kw, cinG, cout] = ws;
  const [sh, sw] = o.stride ?? [1, 1];
  const [dh, dw] = o.dilation ?? [1, 1];
  const groups = o.groups ?? 1;
  const coutG = cout / groups;
  const ay = refAxis(h, kh, sh, dh, o.padding?.[0] ?? 'valid');
  const ax = refAxis(wd, kw, sw, dw, o.padding?.[1] ?? 'valid');
  const shape = [n, ay.out, ax.out, cout];
  const data = new Array<number>(n * ay.out * ax.out * cout).fill(0);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < ay.out; oy++)
      for (let ox = 0; ox < ax.out; ox++)
        for (let co = 0; co < cout; co++) {
          const g = Math.floor(co / coutG);
          let s = 0;
          for (let ky = 0; ky < kh; ky++)
            for (let kx = 0; kx < kw; kx++)
              for (let ci = 0; ci < cinG; ci++) {
                const iy = oy * sh - ay.before + ky * dh;
                const ix = ox * sw - ax.before + kx * dw;
                if (iy < 0 || ix < 0 || iy >= h || ix >= wd) continue;
                s += x[((b * h + iy) * wd + ix) * cin + g * cinG + ci] * w[((ky * kw + kx) * cinG + ci) * cout + co];
              }
          data[((b * ay.out + oy) * ax.out + ox) * cout + co] = s;
        }
  return { shape, data };
}

/**
 * Transposed conv in scatter form: every input pixel adds x·w into the output window it maps
 * to; x [n,h,w,cin], w [kh,kw,cout,cin]; `pad` crops the leading edge, `out` is the size.
 */
export function refConv2dTranspose(
  x: ArrayLike<number>, xs: readonly number[], w: ArrayLike<number>, ws: readonly number[],
  o: { stride: [number, number]; dilation: [number, number]; pad: [number, number]; out: [number, number] },
) {
  const [n, h, wd, cin] = xs;
  const [kh, kw, cout] = ws;
  const [oh, ow] = o.out;
  const data = new Array<number>(n * oh * ow * cout).fill(0);
  for (let b = 0; b < n; b++)
    for (let iy = 0; iy < h; iy++)
      for (let ix = 0; ix < wd; ix++)
        for (let ky = 0; ky < kh; ky++)
          for (let kx = 0; kx < kw; kx++) {
            const y = iy * o.stride[0] - o.pad[0] + ky * o.dilation[0];
            const z = ix * o.stride[1] - o.pad[1] + kx * o.dilation[1];
            if (y < 0 || z < 0 || y >= oh || z >= ow) continue;
            for (let co = 0; co < cout; co++)
              for (let ci = 0; ci < cin; ci++)
                data[((b * oh + y) * ow + z) * cout + co] += x[((b * h + iy) * wd + ix) * cin + ci] * w[((ky * kw + kx) * cout + co) * cin + ci];
          }
  return { shape: [n, oh, ow, cout], data };
}

/** Max or average pooling of x [n,h,w,c]; windows only see real pixels unless `includePad`. */
export function refPool(
  kind: 'max' | 'avg', x: ArrayLike<number>, xs: readonly number[],
  o: { k: [number, number]; s: [number, number]; padding: ['valid' | 'same' | number, 'valid' | 'same' | number]; includePad?: boolean },
) {
  const [n, h, w, c] = xs;
  const ay = refAxis(h, o.k[0], o.s[0], 1, o.padding[0]);
  const ax = refAxis(w, o.k[1], o.s[1], 1, o.padding[1]);
  const data: number[] = [];
  const argmax: number[] = [];
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < ay.out; oy++)
      for (let ox = 0; ox < ax.out; ox++)
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1;
          let sum = 0;
          let count = 0;
          for (let ky = 0; ky < o.k[0]; ky++)
            for (let kx = 0; kx < o.k[1]; kx++) {
              const iy = oy * o.s[0] - ay.before + ky;
              const ix = ox * o.s[1] - ax.before + kx;
              if (iy < 0 || ix < 0 || iy >= h || ix >= w) continue;
              const i = ((b * h + iy) * w + ix) * c + ch;
              if (x[i] > best) [best, at] = [x[i], i];
              sum += x[i];
              count++;
            }
          data.push(kind === 'max' ? best : sum / (o.includePad ? o.k[0] * o.k[1] : count));
          argmax.push(at);
        }
  return { shape: [n, ay.out, ax.out, c], data, argmax };
}
