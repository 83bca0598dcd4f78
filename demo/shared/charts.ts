// The site's charts, all uPlot (no hand-drawn chart code): line charts that take live updates
// (loss curves, fitted functions) and bar charts over categories (benchmark timings, speedups).
// Every chart has axis labels and a legend, and describes itself in `window.__charts` for tests.

import uPlot from 'uplot';

const palette = ['#3057d5', '#e8710a', '#2e7d32', '#c62828', '#8e24aa', '#00838f', '#6d4c41', '#5f6368'];

/** The i-th series colour, the same on every chart of the site. */
export const colour = (i: number): string => palette[i % palette.length]!;

/** What a chart shows, as a browser test reads it from `window.__charts`. */
export interface ChartFacts {
  title: string;
  xLabel: string;
  yLabel: string;
  /** The legend's entries. */
  series: string[];
  /** Non-null points per series, as last drawn. */
  points: number[];
  /** The x-axis tick values last drawn. */
  xTicks: number[];
  /** The x-axis tick labels last drawn (category names on a bar chart). */
  xTickLabels: string[];
}

const charts: ChartFacts[] = [];
Object.assign(window, { __charts: charts });

/** Registers a chart's facts and returns the x axis's tick formatter, which records what it draws. */
function described(facts: Omit<ChartFacts, 'points' | 'xTicks' | 'xTickLabels'>, label: (tick: number) => string): { facts: ChartFacts; values: uPlot.Axis.DynamicValues } {
  const entry: ChartFacts = { ...facts, points: facts.series.map(() => 0), xTicks: [], xTickLabels: [] };
  charts.push(entry);
  return {
    facts: entry,
    values: (_u, ticks) => {
      entry.xTicks = [...ticks];
      entry.xTickLabels = ticks.map(label);
      return entry.xTickLabels;
    },
  };
}

const countPoints = (ys: readonly (ArrayLike<number | null>)[]): number[] => ys.map((y) => Array.from(y).filter((v) => v !== null && Number.isFinite(v)).length);

/** A tick label: integers as they are, other values with at most three significant digits. */
const tickLabel = (t: number): string => (Number.isInteger(t) ? String(t) : String(Number(t.toPrecision(3))));

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
  /** The x axis's label, with its unit where it has one ("time (s)"). */
  xLabel: string;
  /** The y axis's label, with its unit ("accuracy (%)"). */
  yLabel: string;
  series: readonly string[];
  height?: number;
  logY?: boolean;
  /** Ticks on whole numbers only (epochs, steps), and a range of at least one. */
  integerX?: boolean;
  /** Draw points only (no line) for the series at these indices. */
  pointsOnly?: readonly number[];
  /** Draw large rings only (no line) for the series at these indices: events such as early stopping. */
  markers?: readonly number[];
  /** The palette index of the first series (to match another chart's colours). */
  firstColour?: number;
}

/** Whole-number tick steps for an integer x axis. */
const wholeSteps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

/**
 * A line chart in `el` with one line per entry of `opts.series`.
 *
 * @example
 * const chart = lineChart(el, { title: 'loss', xLabel: 'epoch', yLabel: 'loss (nats)', series: ['train'], integerX: true });
 * chart.set([1, 2, 3], [[0.9, 0.5, 0.4]]);
 */
export function lineChart(el: HTMLElement, opts: LineChartOptions): LineChart {
  const series: uPlot.Series[] = [
    { label: opts.xLabel },
    ...opts.series.map((label, i): uPlot.Series => {
      const c = colour(i + (opts.firstColour ?? 0));
      if (opts.pointsOnly?.includes(i)) return { label, stroke: c, width: 0, paths: () => null, points: { show: true, size: 4, fill: c } };
      if (opts.markers?.includes(i)) return { label, stroke: c, width: 2, paths: () => null, points: { show: true, size: 12, width: 2, fill: 'transparent' } };
      return { label, stroke: c, width: 2, points: { show: false }, spanGaps: true };
    }),
  ];
  const { facts, values } = described({ title: opts.title, xLabel: opts.xLabel, yLabel: opts.yLabel, series: [...opts.series] }, tickLabel);
  const xScale: uPlot.Scale = opts.integerX
    ? { time: false, range: (_u, min, max) => [Math.floor(min), Math.max(Math.ceil(max), Math.floor(min) + 1)] }
    : { time: false };
  const plot = new uPlot(
    {
      title: opts.title,
      width: width(el),
      height: opts.height ?? 240,
      scales: { x: xScale, y: opts.logY ? { distr: 3 } : {} },
      axes: [{ label: opts.xLabel, values, ...(opts.integerX ? { incrs: wholeSteps } : {}) }, { label: opts.yLabel }],
      series,
      legend: { live: false },
    },
    [[], ...opts.series.map(() => [])],
    el,
  );
  return {
    plot,
    set(x, ys) {
      facts.points = countPoints(ys);
      plot.setData([Array.from(x), ...ys.map((y) => Array.from(y))] as uPlot.AlignedData);
    },
  };
}

export interface BarChartOptions {
  title: string;
  /** What the bars stand for, on the x axis ("engine", "workload"). */
  xLabel: string;
  /** The y axis's label, with its unit ("median (ms)"). */
  yLabel: string;
  categories: readonly string[];
  values: readonly (number | null)[];
  /**
   * The palette index of each category's bar: then every bar has its own colour and the legend
   * names the categories. Without it the bars share `colourIndex` and the legend names `yLabel`.
   */
  colours?: readonly number[];
  colourIndex?: number;
}

/**
 * A bar chart: one bar per category (`values[c]`, null for none), e.g. one per engine, each
 * category named under its bar.
 *
 * @example
 * barChart(el, { title: 'matmul 512', xLabel: 'engine', yLabel: 'median (ms)', categories: ['cpu', 'webgpu'], values: [40, 3], colours: [0, 1] });
 */
export function barChart(el: HTMLElement, opts: BarChartOptions): uPlot {
  const bars = uPlot.paths.bars!;
  const n = opts.categories.length;
  const bar = (label: string, c: string): uPlot.Series => ({ label, stroke: c, fill: c, width: 0, points: { show: false }, paths: bars({ size: [0.6, 80] }) });
  const perCategory = opts.colours;
  const series = perCategory
    ? opts.categories.map((name, i) => bar(name, colour(perCategory[i] ?? i)))
    : [bar(opts.yLabel, colour(opts.colourIndex ?? 0))];
  // One series per category holds only its own bar (null elsewhere), so each bar takes its colour.
  const data = perCategory ? opts.categories.map((_, i) => opts.values.map((v, j) => (i === j ? v : null))) : [[...opts.values]];
  const { facts, values } = described({ title: opts.title, xLabel: opts.xLabel, yLabel: opts.yLabel, series: series.map((s) => String(s.label)) }, (t) => opts.categories[t] ?? '');
  facts.points = countPoints(data);
  const px = width(el);
  // Names slant where they would not fit side by side under their bars, steeper where slots are narrow.
  const slotPx = (px - 60) / Math.max(1, n);
  const longest = Math.max(...opts.categories.map((c) => c.length));
  const tilted = longest * 7 > slotPx;
  return new uPlot(
    {
      title: opts.title,
      width: px,
      height: tilted ? 260 : 230,
      scales: { x: { time: false, range: [-0.5, n - 0.5] }, y: { range: (_u, _min, max) => [0, (max || 1) * 1.1] } },
      axes: [
        {
          label: opts.xLabel,
          // Every category gets its tick, however narrow the chart (uPlot's spacing would drop some).
          splits: () => opts.categories.map((_, i) => i),
          values,
          rotate: tilted ? (slotPx < 45 ? -60 : -35) : 0,
          size: tilted ? 30 + longest * 6 : 40,
        },
        { label: opts.yLabel },
      ],
      series: [{ label: opts.xLabel }, ...series],
      legend: { show: true, live: false },
    },
    [opts.categories.map((_, i) => i), ...data] as uPlot.AlignedData,
    el,
  );
}
