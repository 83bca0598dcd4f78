// The buffer plan of one realize: liveness of every kernel's output over the kernel order, then
// placement of each intermediate in a slot (a buffer of one size class) that an earlier
// intermediate freed: the smallest free slot that fits, else a free slot grown to fit, else a new
// one. Outputs the caller keeps get no slot. Pure: sizes in, slots out.

/** One kernel as the planner sees it: the bytes it writes and the earlier steps it reads. */
export interface PlanStep {
  readonly bytes: number;
  /** Indices of earlier steps whose outputs this step reads. */
  readonly reads: readonly number[];
  /** The output outlives the plan (a realized root): it gets its own buffer, not a slot. */
  readonly kept: boolean;
}

export interface MemoryPlan {
  /** The slot each step writes, or -1 for kept outputs. */
  readonly slotOf: readonly number[];
  /** The size class of each slot, in bytes. */
  readonly slotBytes: readonly number[];
  /** Bytes of all slots: what the plan's intermediates occupy at once. */
  readonly peakBytes: number;
  /** The largest sum of exact intermediate sizes live at one time (the lower bound). */
  readonly liveBytesPeak: number;
  /** Exact sizes of all intermediates summed: the bytes without reuse. */
  readonly intermediateBytes: number;
}

/**
 * Assigns the intermediates of `steps` (in execution order) to slots. A slot frees after the
 * last step that reads it, and only after that step's own output is placed, so a kernel never
 * writes a buffer it reads. An output takes the smallest free slot of its size class or larger;
 * failing that, the largest free slot grows to its class (slot sizes are final only once the
 * whole plan is placed); failing that, a new slot.
 *
 * ```ts
 * planMemory([{ bytes: 400, reads: [], kept: false }, { bytes: 400, reads: [0], kept: false },
 *             { bytes: 400, reads: [1], kept: true }], sizeClass).slotOf; // [0, 1, -1]
 * ```
 */
export function planMemory(steps: readonly PlanStep[], sizeClass: (bytes: number) => number): MemoryPlan {
  const lastRead = steps.map((_, i) => i);
  steps.forEach((s, j) => {
    for (const i of s.reads) lastRead[i] = Math.max(lastRead[i], j);
  });
  const freedAt = steps.map((): number[] => []);
  steps.forEach((s, i) => {
    if (!s.kept) freedAt[lastRead[i]].push(i);
  });

  const slotOf: number[] = [];
  const slotBytes: number[] = [];
  const free: number[] = [];
  let live = 0;
  let liveBytesPeak = 0;
  let intermediateBytes = 0;
  steps.forEach((s, j) => {
    if (s.kept) {
      slotOf.push(-1);
    } else {
      const cls = sizeClass(s.bytes);
      let pick = -1;
      for (let f = 0; f < free.length; f++) {
        const b = slotBytes[free[f]];
        const best = pick < 0 ? -1 : slotBytes[free[pick]];
        if (pick < 0 || (b >= cls ? best < cls || b < best : best < cls && b > best)) pick = f;
      }
      let slot: number;
      if (pick < 0) slot = slotBytes.push(cls) - 1;
      else {
        slot = free.splice(pick, 1)[0];
        slotBytes[slot] = Math.max(slotBytes[slot], cls);
      }
      slotOf.push(slot);
      live += s.bytes;
      intermediateBytes += s.bytes;
      liveBytesPeak = Math.max(liveBytesPeak, live);
    }
    for (const i of freedAt[j]) {
      free.push(slotOf[i]);
      live -= steps[i].bytes;
    }
  });
  return { slotOf, slotBytes, peakBytes: slotBytes.reduce((a, b) => a + b, 0), liveBytesPeak, intermediateBytes };
}
