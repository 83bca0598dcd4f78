// The model summary table, as Keras prints it: each layer's name and type, output shape and
// parameter count, then the totals (thousands separators) split into trainable and not.

import type { Layer, LayerOptions, LayerShape } from '../nn/layer';
import type { Tensor } from '../tensor';

const WIDTHS = [34, 26, 10];

const count = (ts: readonly Tensor[]) => ts.reduce((n, t) => n + t.size, 0);
const thousands = (n: number) => n.toLocaleString('en-US');
const kerasShape = (s: LayerShape) => `(${s.map((d) => (d === null ? 'None' : String(d))).join(', ')}${s.length === 1 ? ',' : ''})`;

function row(cells: readonly string[]): string {
  return ` ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(Math.max(WIDTHS[i] - 1, c.length + 2)))).join(' ')}`.trimEnd();
}

/** One layer of the table and its output shape. */
export interface SummaryRow {
  readonly layer: Layer<LayerOptions, unknown, unknown>;
  readonly outputShape: LayerShape;
}

/** The table for a model named `name` with these layers (already built). */
export function summaryTable(name: string, rows: readonly SummaryRow[]): string {
  const line = (ch: string) => ch.repeat(WIDTHS.reduce((a, b) => a + b, 0));
  let trainable = 0;
  let frozen = 0;
  const body = rows.map(({ layer, outputShape }) => {
    const t = count(layer.parameters());
    const f = count(layer.buffers());
    trainable += t;
    frozen += f;
    return row([`${layer.name} (${layer.className})`, kerasShape(outputShape), thousands(t + f)]);
  });
  return [
    `Model: "${name}"`,
    line('_'),
    row(['Layer (type)', 'Output Shape', 'Param #']),
    line('='),
    ...body,
    line('='),
    `Total params: ${thousands(trainable + frozen)}`,
    `Trainable params: ${thousands(trainable)}`,
    `Non-trainable params: ${thousands(frozen)}`,
    line('_'),
  ].join('\n');
}
