// The README's examples are a promise to users: this runs each of its TypeScript blocks as written
// (importing the library from source instead of the package name) and checks what each claims.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

/** Runs a README block as a module and returns what it logged. */
async function run(block: string): Promise<unknown[][]> {
  const source = new URL('../src/node.ts', import.meta.url).pathname;
  const code = block.replace("from 'webgrad'", `from '${source}'`);
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
  return logged;
}

const numbersIn = (logged: unknown[][]) => logged.filter((args) => args.every((v) => typeof v === 'number')) as number[][];

it('the README has the Keras and the PyTorch example', () => {
  expect(blocks.length, '```ts blocks in README.md').toBeGreaterThanOrEqual(2);
});

it("the README's first example: Keras's hello world, fit to y = 2x − 1, predicts ≈ 19 at x = 10", async () => {
  const numbers = numbersIn(await run(blocks[0]));
  const [first, last] = numbers.find((args) => args.length === 2)!;
  expect(last).toBeLessThan(first / 100);
  const [prediction] = numbers[numbers.length - 1];
  expect(prediction).toBeGreaterThan(18.9);
  expect(prediction).toBeLessThan(19.1);
}, 120_000);

it("the README's second example: a PyTorch-style Module learns XOR in a loop with no tidy", async () => {
  const logged = await run(blocks[1]);
  const [loss] = numbersIn(logged)[0];
  expect(loss).toBeLessThan(0.1);
  expect(logged.find((args) => Array.isArray(args[0]))?.[0]).toEqual([0, 1, 1, 0]);
}, 120_000);
