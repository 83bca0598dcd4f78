// JavaScript expressions of the common elementwise rows, which the CPU code generator writes
// inline instead of calling the row's `cpu` function per element (a call per element and node
// is what made the node-by-node interpreter slow). Each must compute exactly what the row's
// `cpu` computes (tests/backend/inline-rows.test.ts checks every one against its table row).

import type { ElementwiseTypes } from '../../graph/ir';

/** Builds the expression from argument expressions (plain names or literals, so repeating one is free). */
type InlineRow = (args: readonly string[], types: ElementwiseTypes) => string;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** The rows written inline, by table name; the others are called. */
export const INLINE_ROWS: ReadonlyMap<string, InlineRow> = new Map<string, InlineRow>([
  ['neg', ([x]) => `(-${x})`],
  ['abs', ([x]) => `Math.abs(${x})`],
  ['sign', ([x]) => `Math.sign(${x})`],
  ['square', ([x], t) => (t.out === 'int32' ? `Math.imul(${x}, ${x})` : `(${x} * ${x})`)],
  ['relu', ([x]) => `(${x} < 0 ? 0 : ${x})`],
  ['step', ([x]) => `(${x} >= 0 ? 1 : 0)`],
  ['exp', ([x]) => `Math.exp(${x})`],
  ['log', ([x]) => `Math.log(${x})`],
  ['sqrt', ([x]) => `Math.sqrt(${x})`],
  ['rsqrt', ([x]) => `(1 / Math.sqrt(${x}))`],
  ['reciprocal', ([x]) => `(1 / ${x})`],
  ['sin', ([x]) => `Math.sin(${x})`],
  ['cos', ([x]) => `Math.cos(${x})`],
  ['floor', ([x]) => `Math.floor(${x})`],
  ['ceil', ([x]) => `Math.ceil(${x})`],
  ['tanh', ([x]) => `Math.tanh(${x})`],
  ['logicalNot', ([x]) => `(${x} ? 0 : 1)`],
  [
    'cast',
    ([x], t) => {
      if (t.out === 'bool') return `(${x} !== 0 ? 1 : 0)`;
      if (t.out === 'int32') return `(${x} !== ${x} ? 0 : Math.min(${INT32_MAX}, Math.max(${INT32_MIN}, Math.trunc(${x}))))`;
      return x;
    },
  ],
  ['add', ([a, b]) => `(${a} + ${b})`],
  ['sub', ([a, b]) => `(${a} - ${b})`],
  ['mul', ([a, b], t) => (t.out === 'int32' ? `Math.imul(${a}, ${b})` : `(${a} * ${b})`)],
  ['div', ([a, b]) => `(${a} / ${b})`],
  ['pow', ([a, b]) => `Math.pow(${a}, ${b})`],
  ['maximum', ([a, b]) => `(${a} !== ${a} || ${b} !== ${b} ? NaN : Math.max(${a}, ${b}))`],
  ['minimum', ([a, b]) => `(${a} !== ${a} || ${b} !== ${b} ? NaN : Math.min(${a}, ${b}))`],
  ['equal', ([a, b]) => `(${a} === ${b} ? 1 : 0)`],
  ['notEqual', ([a, b]) => `(${a} !== ${b} ? 1 : 0)`],
  ['greater', ([a, b]) => `(${a} > ${b} ? 1 : 0)`],
  ['greaterEqual', ([a, b]) => `(${a} >= ${b} ? 1 : 0)`],
  ['less', ([a, b]) => `(${a} < ${b} ? 1 : 0)`],
  ['lessEqual', ([a, b]) => `(${a} <= ${b} ? 1 : 0)`],
  ['logicalAnd', ([a, b]) => `(${a} && ${b} ? 1 : 0)`],
  ['logicalOr', ([a, b]) => `(${a} || ${b} ? 1 : 0)`],
  ['where', ([c, a, b]) => `(${c} ? ${a} : ${b})`],
]);
