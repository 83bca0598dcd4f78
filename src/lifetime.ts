// Tensor lifetimes: the set of live tensors, tidy scopes, keep, and the FinalizationRegistry that
// lets go of tensors the program dropped. Device memory itself follows node holders
// (LazyNode.retain/release in src/graph/ir.ts): this file only decides when a tensor lets go.

import { ArgumentError } from './errors';
import type { LazyNode } from './graph/ir';
import type { Tensor } from './tensor';

/** The node a tensor holds, in a box the finalizer can reach without reaching the tensor. */
export interface NodeCell {
  node: LazyNode;
}

interface Entry {
  readonly ref: WeakRef<Tensor>;
  readonly cell: NodeCell;
}

const live = new Set<WeakRef<Tensor>>();
const entries = new WeakMap<Tensor, Entry>();
const finalizer = new FinalizationRegistry<Entry>((e) => {
  live.delete(e.ref);
  e.cell.node.unhold();
});

/** Tensors created while each open tidy scope runs, innermost last. */
const scopes: Set<Tensor>[] = [];
const kept = new WeakSet<Tensor>();

/** @internal Called by the Tensor constructor once it holds `cell.node`. */
export function trackTensor(t: Tensor, cell: NodeCell): void {
  const entry: Entry = { ref: new WeakRef(t), cell };
  live.add(entry.ref);
  entries.set(t, entry);
  finalizer.register(t, entry, entry);
  scopes[scopes.length - 1]?.add(t);
}

/** @internal Called by `dispose()`: the tensor leaves the live set and its finalizer. */
export function untrackTensor(t: Tensor): void {
  const entry = entries.get(t);
  if (!entry) return;
  live.delete(entry.ref);
  finalizer.unregister(entry);
  entries.delete(t);
}

/** How many tensors are not yet disposed or collected. */
export function liveTensorCount(): number {
  return live.size;
}

/** Every tensor not yet disposed or collected. */
export function liveTensors(): Tensor[] {
  const out: Tensor[] = [];
  for (const ref of live) {
    const t = ref.deref();
    if (t && !t.disposed) out.push(t);
  }
  return out;
}

/**
 * Marks `t` to survive every enclosing `tidy`: it lives until `dispose()` or until it is dropped.
 *
 * ```ts
 * let w: wg.Tensor;
 * wg.tidy(() => { w = wg.keep(wg.randn([3, 3])); });
 * ```
 */
export function keep<T extends Tensor>(t: T): T {
  if (typeof t !== 'object' || t === null) throw new ArgumentError(`keep: expected a Tensor, got ${t === null ? 'null' : typeof t}`);
  kept.add(t);
  for (const s of scopes) s.delete(t);
  return t;
}

/**
 * Runs `fn` and disposes every tensor created meanwhile that `fn` neither returns (directly or
 * inside arrays and plain objects) nor `keep`s. Returned tensors move to the enclosing scope.
 * Returned lazy tensors stay computable: disposing an intermediate only lets go of its handle,
 * and buffers a live graph reads stay until that graph is realized or dropped.
 *
 * `fn` may be async (unlike TensorFlow.js): the scope closes when its promise settles. Tensors
 * created anywhere while it is pending join it, so await an async tidy before creating others.
 *
 * ```ts
 * const y = wg.tidy(() => x.matmul(w).add(b).relu()); // the matmul's handle is disposed
 * const loss = await wg.tidy(async () => { ...; return loss; });
 * ```
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new ArgumentError(`tidy: expected a function, got ${fn === null ? 'null' : typeof fn}`);
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    closeScope(scope, undefined);
    throw err;
  }
  if (isPromiseLike(result)) {
    return result.then(
      (value) => {
        closeScope(scope, value);
        return value;
      },
      (err: unknown) => {
        closeScope(scope, undefined);
        throw err;
      },
    ) as T;
  }
  closeScope(scope, result);
  return result;
}

function isPromiseLike(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

/** The tensors a closing tidy returns: a leaf it disposes does not take a returned `.grad` along. */
let escaping: ReadonlySet<Tensor> = new Set();

/** @internal Whether `t` is being returned out of a closing tidy scope. */
export function escapesScope(t: Tensor): boolean {
  return escaping.has(t);
}

function closeScope(scope: Set<Tensor>, result: unknown): void {
  const at = scopes.lastIndexOf(scope);
  if (at >= 0) scopes.splice(at, 1);
  const returned = new Set(tensorsIn(result));
  escaping = returned;
  try {
    for (const t of scope) if (!returned.has(t) && !kept.has(t)) t.dispose();
  } finally {
    escaping = new Set();
  }
  const parent = scopes[scopes.length - 1];
  if (parent) for (const t of returned) if (scope.has(t)) parent.add(t);
}

/** The tensors in `x`: itself, or inside arrays, Maps, Sets and plain objects. */
export function tensorsIn(x: unknown): Tensor[] {
  const out = new Set<Tensor>();
  collectTensors(x, out, new Set());
  return [...out];
}

/** The tensors in `x`: itself, or inside arrays, Maps, Sets and plain objects. */
function collectTensors(x: unknown, out: Set<Tensor>, seen: Set<unknown>): void {
  if (typeof x !== 'object' || x === null || seen.has(x)) return;
  seen.add(x);
  if (entries.has(x as Tensor)) {
    out.add(x as Tensor);
    return;
  }
  if (Array.isArray(x) || x instanceof Set) for (const v of x) collectTensors(v, out, seen);
  else if (x instanceof Map) for (const v of x.values()) collectTensors(v, out, seen);
  else if (Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) collectTensors(v, out, seen);
}
