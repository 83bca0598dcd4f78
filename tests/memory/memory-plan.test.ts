// planMemory: liveness over the kernel order and reuse of freed slots, without a GPU.

import { describe, expect, it } from 'vitest';
import { planMemory, type PlanStep } from '../../src/graph/memory-plan';
import { sizeClass } from '../../src/backend/webgpu/buffer-pool';

const step = (bytes: number, reads: number[] = [], kept = false): PlanStep => ({ bytes, reads, kept });

/** Whether any step writes a slot that one of its inputs occupies. */
function writesWhatItReads(steps: PlanStep[], slotOf: readonly number[]): boolean {
  return steps.some((s, j) => slotOf[j] >= 0 && s.reads.some((i) => slotOf[i] === slotOf[j]));
}

/** Whether a slot is overwritten while a value in it is still to be read. */
function clobbers(steps: PlanStep[], slotOf: readonly number[]): boolean {
  const lastRead = steps.map((_, i) => Math.max(i, ...steps.flatMap((s, j) => (s.reads.includes(i) ? [j] : []))));
  return steps.some((_, i) => slotOf[i] >= 0 && steps.some((__, j) => j > i && j <= lastRead[i] && slotOf[j] === slotOf[i]));
}

describe('planMemory', () => {
  it('runs a chain of intermediates in two ping-pong slots', () => {
    const steps = [step(4096), ...Array.from({ length: 8 }, (_, i) => step(4096, [i])), step(4096, [8], true)];
    const plan = planMemory(steps, sizeClass);
    expect(plan.slotBytes).toEqual([4096, 4096]);
    expect(plan.slotOf[9]).toBe(-1);
    expect(plan.peakBytes).toBe(8192);
    expect(plan.intermediateBytes).toBe(9 * 4096);
    expect(writesWhatItReads(steps, plan.slotOf)).toBe(false);
  });

  it('keeps a value alive until its last reader', () => {
    // 0 is read by step 3: steps 1 and 2 must not take its slot.
    const steps = [step(1024), step(1024, [0]), step(1024, [1]), step(1024, [0, 2], true)];
    const plan = planMemory(steps, sizeClass);
    expect(clobbers(steps, plan.slotOf)).toBe(false);
    expect(new Set(plan.slotOf.slice(0, 3)).size).toBe(3);
  });

  it('gives kept outputs no slot and frees values nobody reads right away', () => {
    const steps = [step(512, [], true), step(2048), step(2048), step(512, [0], true)];
    const plan = planMemory(steps, sizeClass);
    expect(plan.slotOf).toEqual([-1, 0, 0, -1]);
  });

  it('reuses a larger free slot, or grows a smaller one, before adding a slot', () => {
    const bigThenSmall = planMemory([step(8192), step(100, [0]), step(100, [1], true)], sizeClass);
    expect(bigThenSmall.slotBytes).toEqual([8192, 256]);
    const smallThenBig = planMemory([step(256), step(256, [0]), step(8192, [1]), step(4, [2], true)], sizeClass);
    // The 8 KiB output takes slot 0 (freed after step 1) grown to 8 KiB.
    expect(smallThenBig.slotOf).toEqual([0, 1, 0, -1]);
    expect(smallThenBig.slotBytes).toEqual([8192, 256]);
  });

  it('never lets a step write a buffer it reads, on random graphs', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let trial = 0; trial < 200; trial++) {
      const steps: PlanStep[] = [];
      const n = 2 + rand(20);
      for (let j = 0; j < n; j++) {
        const reads = j === 0 ? [] : [...new Set(Array.from({ length: 1 + rand(3) }, () => rand(j)))];
        steps.push(step(4 * (1 + rand(5000)), reads, rand(4) === 0));
      }
      const plan = planMemory(steps, sizeClass);
      expect(writesWhatItReads(steps, plan.slotOf)).toBe(false);
      expect(clobbers(steps, plan.slotOf)).toBe(false);
      expect(plan.liveBytesPeak).toBeLessThanOrEqual(plan.intermediateBytes);
      expect(plan.slotOf.every((s, j) => (s < 0) === steps[j].kept)).toBe(true);
      plan.slotOf.forEach((s, j) => s >= 0 && expect(plan.slotBytes[s]).toBeGreaterThanOrEqual(steps[j].bytes));
    }
  });
});
