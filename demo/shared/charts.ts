// The site's charts, all uPlot (no hand-drawn chart code): line charts that take live updates
// (loss curves, fitted functions) and bar charts over categories (benchmark timings, speedups).

import uPlot from 'uplot';

const palette = ['#3057d5', '#e8710a', '#2e7d32', '#c62828', '#8e24aa', '#00838f', '#6d4c41', '#5f6368'];

/** The i-th series colour, the same on every chart of the site. */
export const colour = (i: number): string => palette[i % palette.length]!;

/**
 * The width of a chart placed in `el`: its `.charts` grid's column (one column under 700 px,
 * two above, as site.css lays them out), or `el`'s own width outside a grid.
 */
function width(el: HTMLElement): number {
  const grid = el.closest<HTMLElement>('.charts');
  const outer = (grid ?? el).clientWidth || 600;
  const columns = grid && outer >= 700 ? 2 : 1;
  return Math.max(260, Math.floor((outer - 16 * (columns - 1)) / columns));
}

/** A live line chart: `set(x, ys)` redraws with new data (one array per series). */
export interface LineChart {
  set(x: ArrayLike<number>, ys: readonly (ArrayLike<number | null>)[]): void;
  readonly plot: uPlot;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly string[];
  height?: number;
  logY?: boolean;
  /** Draw points only (no line) for the series at these indices. */
  pointsOnly?: readonly number[];
  /** The palette index of the first series (to match another chart's colours). */
  firstColour?: number;
}

/** A line chart in `el` with one line per entry of `opts.series`. */
export function lineChart(el: HTMLElement, opts: LineChartOptions): LineChart {
  const series: uPlot.Series[] = [
    { label: opts.xLabel },
    ...opts.series.map((label, i): uPlot.Series => {
      const dots = opts.pointsOnly?.includes(i) ?? false;
      const c = colour(i + (opts.firstColour ?? 0));
      return dots
        ? { label, stroke: c, width: 0, paths: () => null, points: { show: true, size: 4, fill: c } }
        : { label, stroke: c, width: 2, points: { show: false }, spanGaps: true };
    }),
  ];
  const plot = new uPlot(
    {
      title: opts.title,
      width: width(el),
      height: opts.height ?? 240,
      scales: { x: { time: false }, y: opts.logY ? { distr: 3 } : {} },
      axes: [{ label: opts.xLabel }, { label: opts.yLabel }],
      series,
      legend: { live: false },
    },
    [[], ...opts.series.map(() => [])],
    el,
  );
  return {
    plot,
    set(x, ys) {
      plot.setData([Array.from(x), ...ys.map((y) => Array.from(y))] as uPlot.AlignedData);
    },
  };
}

/** A bar chart: one bar per category (`values[c]`, null for none), e.g. one per engine. */
export function barChart(el: HTMLElement, opts: { title: string; yLabel: string; categories: readonly string[]; values: readonly (number | null)[]; colourIndex?: number }): uPlot {
  const bars = uPlot.paths.bars!;
  const c = colour(opts.colourIndex ?? 0);
  return new uPlot(
    {
      title: opts.title,
      width: width(el),
      height: 220,
      scales: { x: { time: false, range: [-0.5, opts.categories.length - 0.5] }, y: { range: (_u, _min, max) => [0, (max || 1) * 1.1] } },
      axes: [
        { values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? (opts.categories[t] ?? '') : '')), incrs: [1], size: 50, rotate: 0 },
        { label: opts.yLabel },
      ],
      series: [{ label: 'category' }, { label: opts.yLabel, stroke: c, fill: c, width: 0, points: { show: false }, paths: bars({ size: [0.6, 80] }) }],
      legend: { show: false },
    },
    [opts.categories.map((_, i) => i), [...opts.values]] as uPlot.AlignedData,
    el,
  );
}
