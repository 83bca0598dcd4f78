// What both code generators (WGSL in src/graph/codegen.ts, JavaScript in the CPU backend) share:
// nested scopes of emitted lines (loop bodies, branches), fresh names, and the memo that emits
// each node once per index context, visible in the scope that computed it and those inside.

import type { LazyNode } from './ir';

/** Names a counter could form from a one-letter prefix that WGSL already binds to a type. */
const PREDECLARED = new Set(['i32', 'u32', 'f32', 'f16']);

export abstract class ScopedEmitter<Ctx extends { readonly id: number }> {
  protected readonly scopes: { lines: string[]; memo: Map<string, string> }[] = [{ lines: [], memo: new Map() }];
  private counter = 0;

  /** The code naming `node`'s value at `ctx`, emitting the lines that compute it. */
  protected abstract compute(node: LazyNode, ctx: Ctx): string;

  protected line(s: string): void {
    this.scopes[this.scopes.length - 1].lines.push(s);
  }

  /** A new name; never one of WGSL's predeclared scalar types (`i32` would shadow the type). */
  protected fresh(prefix: string): string {
    let name = `${prefix}${this.counter++}`;
    while (PREDECLARED.has(name)) name = `${prefix}${this.counter++}`;
    return name;
  }

  /** Opens a scope (a loop body, a branch): what is computed inside stays inside. */
  protected pushScope(): void {
    this.scopes.push({ lines: [], memo: new Map() });
  }

  /** Closes the innermost scope, returning its lines. */
  protected popScope(): string[] {
    return this.scopes.pop()!.lines;
  }

  private lookup(key: string): string | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i].memo.get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** The name of `node`'s value at index `ctx`, computed once per scope chain. */
  protected emit(node: LazyNode, ctx: Ctx): string {
    const key = `${node.id}@${ctx.id}`;
    const known = this.lookup(key);
    if (known !== undefined) return known;
    const value = this.compute(node, ctx);
    this.scopes[this.scopes.length - 1].memo.set(key, value);
    return value;
  }
}
