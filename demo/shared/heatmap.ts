// The playground's decision-boundary picture on a canvas: a grid of class-1 probabilities as a
// two-colour heat map over [-range, range]², and the data points on top (test points hollow).

import type { Points2d } from './datasets2d';

const blue = [48, 87, 213];
const orange = [232, 113, 10];

/** The grid points (row-major, y from top) at which the heat map samples the model. */
export function heatmapGrid(cells: number, range: number): Float32Array {
  const out = new Float32Array(cells * cells * 2);
  for (let r = 0; r < cells; r++) {
    for (let c = 0; c < cells; c++) {
      out[(r * cells + c) * 2] = -range + ((c + 0.5) / cells) * 2 * range;
      out[(r * cells + c) * 2 + 1] = range - ((r + 0.5) / cells) * 2 * range;
    }
  }
  return out;
}

/** Draws probabilities `p1` (one per grid cell) and the points on `canvas`. */
export function drawHeatmap(canvas: HTMLCanvasElement, p1: Float32Array, cells: number, range: number, train: Points2d, test: Points2d): void {
  const ctx = canvas.getContext('2d')!;
  const size = canvas.width;
  const img = ctx.createImageData(cells, cells);
  for (let i = 0; i < cells * cells; i++) {
    const p = p1[i]!;
    const k = Math.abs(p - 0.5) * 2; // 0 at the boundary, 1 where sure
    const target = p > 0.5 ? orange : blue;
    for (let ch = 0; ch < 3; ch++) img.data[i * 4 + ch] = Math.round(255 + (target[ch]! - 255) * 0.55 * k);
    img.data[i * 4 + 3] = 255;
  }
  const small = new OffscreenCanvas(cells, cells);
  small.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, size, size);
  const toPx = (v: number) => ((v + range) / (2 * range)) * size;
  const dots = (pts: Points2d, hollow: boolean) => {
    for (let i = 0; i < pts.labels.length; i++) {
      const colour = `rgb(${(pts.labels[i] ? orange : blue).join(',')})`;
      ctx.beginPath();
      ctx.arc(toPx(pts.xy[2 * i]!), size - toPx(pts.xy[2 * i + 1]!), 3.5, 0, 2 * Math.PI);
      ctx.lineWidth = 1.5;
      if (hollow) {
        ctx.strokeStyle = colour;
        ctx.stroke();
      } else {
        ctx.fillStyle = colour;
        ctx.fill();
        ctx.strokeStyle = '#fff';
        ctx.stroke();
      }
    }
  };
  dots(train, false);
  dots(test, true);
}
