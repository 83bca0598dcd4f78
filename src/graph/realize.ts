// Realize, front to back: the nodes asked for plus those waiting to ride along → a freshness
// check (no read of contents `assign` has overwritten) → the backend computes them (WebGPU:
// signature → cached plan of schedule and memory plan → one submit; see
// src/backend/webgpu/plan.ts) → each computed node becomes a buffer node, an assigned storage
// takes a new version. The one place that turns lazy nodes into buffers.

import type { Backend } from '../backend/backend';
import { StaleTensorError } from '../errors';
import { shapeStr } from '../shape';
import { findStaleRead, topoSort, type LazyNode, type Storage } from './ir';
import { kernelOutputs, schedule } from './schedule';

/**
 * Nodes to compute with the next realize, whatever it asks for. backward() puts its output
 * here: the forward values the loss needs are computed for the gradients anyway, so the loss
 * costs a reduction or two in that plan, where reading it after the update would find the
 * parameters overwritten (the PyTorch loop `loss.backward(); step(); await loss.item()`).
 * A node rides along only while a tensor still holds it.
 */
const rideAlong = new Set<LazyNode>();

/** Computes `node` in the next realize's plan, if a tensor still holds it then (see `rideAlong`). */
export function realizeWithNext(node: LazyNode): void {
  node.retain();
  rideAlong.add(node);
}

/**
 * The nodes a realize of `nodes` computes: those not yet realized, then the nodes waiting to
 * ride along (which then stop waiting). Also what warmup compiles, so keys match.
 */
export function realizeRoots(nodes: readonly LazyNode[]): LazyNode[] {
  const all = [...nodes];
  for (const n of rideAlong) {
    if (n.handles > 0) all.push(n);
    n.release();
  }
  rideAlong.clear();
  return [...new Set(all)].filter((n) => n.op.kind !== 'buffer');
}

/** Throws StaleTensorError when the graph of `roots` reads contents `assign` has overwritten. */
function assertFresh(roots: readonly LazyNode[]): void {
  const stale = findStaleRead(topoSort(roots));
  if (!stale) return;
  const root = roots.find((r) => topoSort([r]).includes(stale.reader)) ?? roots[0];
  const { source } = stale;
  throw new StaleTensorError(
    `realize: the ${shapeStr(root.shape)} ${root.dtype} tensor being computed was built from the old contents of a ${shapeStr(source.shape)} ${source.dtype} tensor that assign() has overwritten since ` +
      '(as PyTorch\'s "modified by an inplace operation"); build the computation again from the updated tensor, or realize it before the assign',
  );
}

/** The storages came back for `todo`: each node becomes a buffer, an assigned storage a new version. */
function settle(todo: readonly LazyNode[], storages: readonly Storage[]): void {
  todo.forEach((n, i) => {
    const op = n.op;
    if (op.kind === 'buffer') {
      // Realized by someone else while compiling: keep theirs, drop ours.
      if (op.storage !== storages[i]) storages[i].release();
      return;
    }
    if (n.target) n.target.version++;
    n.becomeBuffer(storages[i]);
  });
}

/**
 * Values a readback's kernels write anyway that a live tensor holds: kept as buffers, so reading
 * them next is free (realize `y.sum()`, then read `y`). Only readbacks keep them: a training
 * step's intermediates go back to the pool, whatever handles a loop leaves for the collector.
 */
function keptIntermediates(todo: readonly LazyNode[]): LazyNode[] {
  const roots = new Set(todo);
  return schedule(todo, { maxBuffers: Infinity })
    .flatMap(kernelOutputs)
    .filter((n) => n.handles > 0 && !roots.has(n) && n.op.kind !== 'buffer');
}

/**
 * Computes `nodes` on `backend` now (GPU work enqueued, not awaited). `rideAlong: false` leaves
 * the waiting nodes for the next realize (an engine-internal realize, such as packing an arena).
 */
export function realize(backend: Backend, nodes: readonly LazyNode[], opts: { rideAlong?: boolean } = {}): void {
  const todo = opts.rideAlong === false ? [...new Set(nodes)].filter((n) => n.op.kind !== 'buffer') : realizeRoots(nodes);
  if (todo.length === 0) return;
  assertFresh(todo);
  settle(todo, backend.execute(todo));
}

/**
 * As `realize`, for a readback: compiles a new graph's pipelines without blocking where the
 * backend can, and keeps the intermediates live tensors hold.
 */
export async function realizeForRead(backend: Backend, nodes: readonly LazyNode[]): Promise<void> {
  const asked = realizeRoots(nodes);
  if (asked.length === 0) return;
  const todo = [...asked, ...keptIntermediates(asked)];
  assertFresh(todo);
  // Compiling may yield to other code; the check runs again right before the run, since nothing
  // may overwrite a storage between the freshness check and the kernels that read it.
  const storages = backend.executeAsync ? await backend.executeAsync(todo, () => assertFresh(todo)) : backend.execute(todo);
  settle(todo, storages);
}
