// The error classes keep their names in the built package (dist/ is minified): `.name`, the
// class's own name and stack traces read `ShapeError`, not a mangled letter. Builds the library
// once with the project's vite config into a scratch folder and imports its Node entry.

import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type * as Webgrad from '../../src/node';

const outDir = resolve('tmp', `dist-names-${process.pid}`);
let built: typeof Webgrad;

beforeAll(async () => {
  await build({ configFile: resolve('vite.config.ts'), logLevel: 'silent', build: { outDir, emptyOutDir: true, sourcemap: false } });
  built = await import(/* @vite-ignore */ pathToFileURL(resolve(outDir, 'webgrad-node.js')).href);
});

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const CLASSES = ['WebgradError', 'ShapeError', 'DTypeError', 'ArgumentError', 'DisposedError', 'DeviceLostError', 'OutOfMemoryError'] as const;

test('every error class of the built package keeps its name, on instances and on the class', () => {
  for (const name of CLASSES) {
    const cls = built[name];
    const e = new cls('x');
    expect(e.name).toBe(name);
    expect(cls.name).toBe(name);
    expect(e.stack?.split('\n')[0]).toBe(`${name}: x`);
    expect(e).toBeInstanceOf(built.WebgradError);
  }
});

test('an error thrown by a built op reads ShapeError in its stack trace', () => {
  let caught: unknown = null;
  try {
    built.zeros([-1]);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(built.ShapeError);
  expect((caught as Error).stack?.split('\n')[0]).toMatch(/^ShapeError: zeros: /);
});
