// The README's example is a promise to users: this runs its first TypeScript block as written
// (importing the library from source instead of the package name) and checks what it claims.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';

it("the README's example: Keras's hello world, fit to y = 2x − 1, predicts ≈ 19 at x = 10", async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block, 'a ```ts block in README.md').toBeTruthy();
  const source = new URL('../src/node.ts', import.meta.url).pathname;
  const code = block!.replace("from 'webgrad'", `from '${source}'`);
  const dir = mkdtempSync(join(new URL('.', import.meta.url).pathname, '.readme-'));
  const logged: unknown[][] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args));
  try {
    const file = join(dir, 'example.ts');
    writeFileSync(file, code);
    await import(/* @vite-ignore */ file);
  } finally {
    log.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
  const numbers = logged.filter((args) => args.every((v) => typeof v === 'number')) as number[][];
  const [first, last] = numbers.find((args) => args.length === 2)!;
  expect(last).toBeLessThan(first / 100);
  const [prediction] = numbers[numbers.length - 1];
  expect(prediction).toBeGreaterThan(18.9);
  expect(prediction).toBeLessThan(19.1);
}, 120_000);
