// The layering of src/: no runtime import cycle between its modules. Imports are read with the
// TypeScript parser; `import type` (and imports whose every name is `type`) carry no runtime
// edge, so types may flow both ways. Cycles are the strongly connected components of the rest.

import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The module a relative specifier names, or null (packages, raw WGSL and other assets). */
function resolveModule(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((c) => fs.existsSync(c)) ?? null;
}

/** Whether an import or re-export brings in only types (erased from the JavaScript). */
function typeOnly(s: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(s)) {
    const named = s.exportClause && ts.isNamedExports(s.exportClause) ? s.exportClause.elements : null;
    return s.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly));
  }
  const clause = s.importClause;
  if (!clause) return false; // a side-effect import runs the module
  const named = clause.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : null;
  return clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly));
}

/** Each module of src/ with the modules it imports at runtime. */
function runtimeImports(files: readonly string[]): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
    const targets: string[] = [];
    for (const s of source.statements) {
      if (!(ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) || !s.moduleSpecifier || !ts.isStringLiteral(s.moduleSpecifier)) continue;
      if (typeOnly(s)) continue;
      const target = resolveModule(file, s.moduleSpecifier.text);
      if (target) targets.push(target);
    }
    edges.set(file, targets);
  }
  return edges;
}

/** The strongly connected components of more than one module, or of a module importing itself (Tarjan). */
function importCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (edges.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

describe('import structure of src/', () => {
  it('has no runtime import cycle', () => {
    const edges = runtimeImports(sourceFiles(SRC));
    expect(edges.size).toBeGreaterThan(100);
    const named = importCycles(edges).map((c) => c.map((f) => path.relative(SRC, f)).join(' ↔ '));
    expect(named).toEqual([]);
  });

  it('the cycle finder reports every module of a cycle and none outside it', () => {
    const edges = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(importCycles(edges)).toEqual([['a', 'b', 'c']]);
  });

  it('an import of types only is no runtime edge', () => {
    const file = path.join(SRC, 'tensor.ts');
    const imports = runtimeImports([file]).get(file)!;
    expect(imports).toContain(path.join(SRC, 'graph/ir.ts'));
    expect(imports).not.toContain(path.join(SRC, 'ops/methods.ts')); // `import type { TensorMethods }`
  });
});
