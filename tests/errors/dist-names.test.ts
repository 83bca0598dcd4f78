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

/** Every class the built package exports that is (or extends) WebgradError, by export name. */
function errorClasses(): [string, new (message: string) => Error][] {
  return Object.entries(built).flatMap(([key, v]) =>
    typeof v === 'function' && (v === built.WebgradError || v.prototype instanceof built.WebgradError) ? [[key, v as new (message: string) => Error]] : [],
  );
}

test('every error class of the built package keeps its name, on instances and on the class', () => {
  const classes = errorClasses();
  expect(classes.map(([key]) => key)).toEqual(expect.arrayContaining(['WebgradError', 'ShapeError', 'DTypeError', 'ArgumentError', 'DisposedError', 'StaleTensorError', 'DeviceLostError', 'OutOfMemoryError']));
  for (const [name, cls] of classes) {
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
