// The learning-rate schedules' values at chosen steps, from their documented formulas.

import { describe, expect, test } from 'vitest';
import { expectClose, wg } from '../helpers';

const { stepDecay, exponentialDecay, cosineDecay } = wg.optim.schedules;

describe('stepDecay', () => {
  test('multiplies by gamma every stepSize steps', () => {
    const lr = stepDecay({ initialLr: 0.1, stepSize: 10, gamma: 0.5 });
    expectClose([0, 9, 10, 19, 20, 35].map(lr), [0.1, 0.1, 0.05, 0.05, 0.025, 0.0125], { rtol: 1e-12 });
  });
  test('gamma defaults to 0.1', () => {
    expectClose([stepDecay({ initialLr: 1, stepSize: 3 })(7)], [0.01], { rtol: 1e-12 });
  });
});

describe('exponentialDecay', () => {
  test('decays continuously: initialLr · rate^(step / decaySteps)', () => {
    const lr = exponentialDecay({ initialLr: 0.01, decaySteps: 100, decayRate: 0.96 });
    expectClose([0, 50, 100, 250].map(lr), [0.01, 0.01 * 0.96 ** 0.5, 0.01 * 0.96, 0.01 * 0.96 ** 2.5], { rtol: 1e-12 });
  });
  test('in whole periods with staircase', () => {
    const lr = exponentialDecay({ initialLr: 0.01, decaySteps: 100, decayRate: 0.5, staircase: true });
    expectClose([0, 99, 100, 250].map(lr), [0.01, 0.01, 0.005, 0.0025], { rtol: 1e-12 });
  });
});

describe('cosineDecay', () => {
  test('falls along half a cosine to alpha · initialLr, then holds', () => {
    const lr = cosineDecay({ initialLr: 1, decaySteps: 100, alpha: 0.1 });
    expectClose([0, 50, 100, 150].map(lr), [1, 0.1 + 0.9 * 0.5, 0.1, 0.1], { rtol: 1e-12, atol: 1e-15 });
    expectClose([lr(25)], [0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI / 4))], { rtol: 1e-12 });
  });
  test('warms up linearly from 0 before decaying', () => {
    const lr = cosineDecay({ initialLr: 2, decaySteps: 10, warmupSteps: 4 });
    expectClose([0, 1, 2, 4, 9, 14, 20].map(lr), [0, 0.5, 1, 2, 1, 0, 0], { rtol: 1e-12, atol: 1e-15 });
  });
});

describe('schedule options', () => {
  test('out of range are ArgumentErrors', () => {
    expect(() => stepDecay({ initialLr: 0.1, stepSize: 0 })).toThrow(wg.ArgumentError);
    expect(() => exponentialDecay({ initialLr: -1, decaySteps: 10, decayRate: 0.5 })).toThrow(wg.ArgumentError);
    expect(() => cosineDecay({ initialLr: 1, decaySteps: 10, warmupSteps: -1 })).toThrow(wg.ArgumentError);
  });
});
