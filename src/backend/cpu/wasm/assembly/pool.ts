// Max and average pooling (NHWC) with f32x4 lanes over channels, computing exactly what the
// plain kernels of src/ops/pool.ts compute (same order of sums, first maximum kept).

let N = 0, H = 0, W = 0, C = 0, OH = 0, OW = 0, KH = 0, KW = 0;
let SH = 0, SW = 0, PT = 0, PL = 0;

/** Sets the geometry the pooling kernels below use. */
export function setPool(n: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32): void {
  N = n; H = h; W = w; C = c; OH = oh; OW = ow; KH = kh; KW = kw; SH = sh; SW = sw; PT = pt; PL = pl;
}

/**
 * y = the max of each window, the first maximum kept (a later value replaces it only when
 * greater, so a NaN never does), as the plain kernel; a window with no real pixel gives NaN.
 * With `dy` and `dx` (zeroed) set, instead adds each dy to dx at its window's first maximum.
 */
function maxPoolPass(x: usize, y: usize, dy: usize, dx: usize): void {
  const grad = dx != 0;
  const rowBytes = <usize>C << 2;
  const vecEnd = C & ~3;
  let o: usize = 0;
  for (let b = 0; b < N; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * SH - PT;
      const yLo = max(y0, 0), yHi = min(y0 + KH, H);
      for (let ox = 0; ox < OW; ox++, o++) {
        const x0 = ox * SW - PL;
        const xLo = max(x0, 0), xHi = min(x0 + KW, W);
        const out = o * rowBytes;
        if (yLo >= yHi || xLo >= xHi) {
          if (!grad) for (let ch = 0; ch < C; ch++) store<f32>(y + out + (<usize>ch << 2), NaN);
          continue;
        }
        const first = <usize>(((b * H + yLo) * W + xLo) * C) << 2;
        for (let ch = 0; ch < vecEnd; ch += 4) {
          const lane = <usize>ch << 2;
          let best = v128.load(x + first + lane);
          let at = i32x4.add(i32x4.splat(<i32>(first + lane)), i32x4(0, 4, 8, 12));
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) {
              const pos = (<usize>(((b * H + iy) * W + ix) * C) << 2) + lane;
              const v = v128.load(x + pos);
              const gt = f32x4.gt(v, best);
              best = v128.bitselect(v, best, gt);
              at = v128.bitselect(i32x4.add(i32x4.splat(<i32>pos), i32x4(0, 4, 8, 12)), at, gt);
            }
          }
          if (!grad) {
            v128.store(y + out + lane, best);
          } else {
            const g = dy + out + lane;
            let p = dx + <usize>i32x4.extract_lane(at, 0);
            store<f32>(p, load<f32>(p) + load<f32>(g));
            p = dx + <usize>i32x4.extract_lane(at, 1);
            store<f32>(p, load<f32>(p) + load<f32>(g, 4));
            p = dx + <usize>i32x4.extract_lane(at, 2);
            store<f32>(p, load<f32>(p) + load<f32>(g, 8));
            p = dx + <usize>i32x4.extract_lane(at, 3);
            store<f32>(p, load<f32>(p) + load<f32>(g, 12));
          }
        }
        for (let ch = vecEnd; ch < C; ch++) {
          const lane = <usize>ch << 2;
          let at = first + lane;
          let best = load<f32>(x + at);
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) {
              const pos = (<usize>(((b * H + iy) * W + ix) * C) << 2) + lane;
              const v = load<f32>(x + pos);
              if (v > best) {
                best = v;
                at = pos;
              }
            }
          }
          if (!grad) store<f32>(y + out + lane, best);
          else store<f32>(dx + at, load<f32>(dx + at) + load<f32>(dy + out + lane));
        }
      }
    }
  }
}

/** maxPool2d: x [n,h,w,c] → y [n,oh,ow,c]. */
export function maxPool(x: usize, y: usize): void {
  maxPoolPass(x, y, 0, 0);
}

/** maxPool2d's gradient: dx [n,h,w,c] (zeroed here) gets each dy at its window's first maximum. */
export function maxPoolGrad(x: usize, dy: usize, dx: usize): void {
  memory.fill(dx, 0, <usize>N * H * W * C * 4);
  maxPoolPass(x, 0, dy, dx);
}

/**
 * avgPool2d: each window's sum in float32, in the plain kernel's order, times 1/count (the full
 * window when includePad, else its real pixels), so the result is the plain kernel's exactly.
 */
export function avgPool(x: usize, y: usize, includePad: bool): void {
  const rowBytes = <usize>C << 2;
  const vecEnd = C & ~3;
  let o: usize = 0;
  for (let b = 0; b < N; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * SH - PT;
      const yLo = max(y0, 0), yHi = min(y0 + KH, H);
      for (let ox = 0; ox < OW; ox++, o++) {
        const x0 = ox * SW - PL;
        const xLo = max(x0, 0), xHi = min(x0 + KW, W);
        const scale = <f32>(1.0 / <f64>(includePad ? KH * KW : (yHi - yLo) * (xHi - xLo)));
        const out = y + o * rowBytes;
        for (let ch = 0; ch < vecEnd; ch += 4) {
          let sum = f32x4.splat(0);
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) sum = f32x4.add(sum, v128.load(x + (<usize>(((b * H + iy) * W + ix) * C + ch) << 2)));
          }
          v128.store(out + (<usize>ch << 2), f32x4.mul(sum, f32x4.splat(scale)));
        }
        for (let ch = vecEnd; ch < C; ch++) {
          let sum: f32 = 0;
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) sum += load<f32>(x + (<usize>(((b * H + iy) * W + ix) * C + ch) << 2));
          }
          store<f32>(out + (<usize>ch << 2), sum * scale);
        }
      }
    }
  }
}

/**
 * avgPool2d's gradient: dx [n,h,w,c] (zeroed here) gets dy · 1/count at every real pixel of
 * each window, in the plain kernel's order and in float64 before each float32 store (f64x2
 * lanes over channel pairs), so the result is the plain kernel's exactly.
 */
export function avgPoolGrad(dy: usize, dx: usize, includePad: bool): void {
  memory.fill(dx, 0, <usize>N * H * W * C * 4);
  const rowBytes = <usize>C << 2;
  const pairEnd = C & ~1;
  let o: usize = 0;
  for (let b = 0; b < N; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * SH - PT;
      const yLo = max(y0, 0), yHi = min(y0 + KH, H);
      for (let ox = 0; ox < OW; ox++, o++) {
        const x0 = ox * SW - PL;
        const xLo = max(x0, 0), xHi = min(x0 + KW, W);
        const scale = 1.0 / <f64>(includePad ? KH * KW : (yHi - yLo) * (xHi - xLo));
        const scales = f64x2.splat(scale);
        const g = dy + o * rowBytes;
        for (let iy = yLo; iy < yHi; iy++) {
          for (let ix = xLo; ix < xHi; ix++) {
            const d = dx + (<usize>(((b * H + iy) * W + ix) * C) << 2);
            for (let ch = 0; ch < pairEnd; ch += 2) {
              const lane = <usize>ch << 2;
              const sum = f64x2.add(f64x2.promote_low_f32x4(v128.load64_zero(d + lane)), f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(g + lane)), scales));
              v128.store64_lane(d + lane, f32x4.demote_f64x2_zero(sum), 0);
            }
            if (pairEnd < C) {
              const lane = <usize>pairEnd << 2;
              store<f32>(d + lane, <f32>(<f64>load<f32>(d + lane) + <f64>load<f32>(g + lane) * scale));
            }
          }
        }
      }
    }
  }
}
