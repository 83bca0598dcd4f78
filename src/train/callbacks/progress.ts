// progress(): the training progress bar. In Node it writes to stdout: redrawn in place when
// stdout is a terminal, one line per epoch otherwise; in a page it fills an element (given, or
// a <pre> appended to the body). verbose 2 writes only the epoch lines.

import { batchLine, epochLine } from '../progress-line';
import type { Callback, Logs, TrainParams } from './callback';

/** Where the lines go: `line` replaces the current line, `commit` ends it. */
interface ProgressSink {
  readonly live: boolean;
  line(text: string): void;
  commit(text: string): void;
}

/** The minimal view of Node's stdout this file uses (no Node types in the browser build). */
interface TextStream {
  isTTY?: boolean;
  write(s: string): boolean;
}

export interface ProgressOptions {
  /** A page element to write into (browser); default: a <pre> appended to document.body. */
  element?: { textContent: string | null };
  /** 1: the live bar (default); 2: one line per epoch. */
  verbose?: 1 | 2;
  /** Fewest milliseconds between two redraws of the live bar (default 100). */
  intervalMs?: number;
}

function stdoutStream(): TextStream | null {
  const proc = (globalThis as { process?: { stdout?: TextStream } }).process;
  return proc?.stdout ?? null;
}

function terminalSink(out: TextStream): ProgressSink {
  const tty = out.isTTY === true;
  return {
    live: tty,
    line: (text) => void (tty && out.write(`\r${text}\x1b[K`)),
    commit: (text) => void out.write(tty ? `\r${text}\x1b[K\n` : `${text}\n`),
  };
}

function elementSink(el: { textContent: string | null }): ProgressSink {
  let done = el.textContent ?? '';
  return {
    live: true,
    line: (text) => void (el.textContent = done + text),
    commit: (text) => void (el.textContent = done = `${done}${text}\n`),
  };
}

function defaultSink(opts: ProgressOptions): ProgressSink {
  if (opts.element) return elementSink(opts.element);
  const doc = (globalThis as { document?: Document }).document;
  if (doc?.body) {
    const pre = doc.createElement('pre');
    pre.className = 'webgrad-progress';
    doc.body.appendChild(pre);
    return elementSink(pre);
  }
  const out = stdoutStream();
  return out ? terminalSink(out) : { live: false, line: () => {}, commit: (text) => console.log(text) };
}

/** The progress bar callback (fit adds one for verbose 1 and 2 unless the list has one). */
export class Progress implements Callback {
  private sink: ProgressSink | null = null;
  private params: TrainParams = { epochs: 1, steps: 0, verbose: 1, metrics: [] };
  private epochStart = 0;
  private lastDraw = 0;
  private currentEpoch = 0;
  constructor(private readonly opts: ProgressOptions) {}

  setParams(params: TrainParams): void {
    this.params = params;
  }

  onTrainBegin(): void {
    this.sink ??= defaultSink(this.opts);
  }

  onEpochBegin(epoch: number): void {
    this.currentEpoch = epoch;
    this.epochStart = performance.now();
    this.lastDraw = 0;
  }

  onBatchEnd(batch: number, logs: Logs): void {
    const sink = this.sink;
    if (!sink?.live || (this.opts.verbose ?? this.params.verbose) === 2) return;
    const now = performance.now();
    if (now - this.lastDraw < (this.opts.intervalMs ?? 100)) return;
    this.lastDraw = now;
    sink.line(batchLine(this.currentEpoch, this.params.epochs, batch + 1, this.params.steps, now - this.epochStart, logs));
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    this.sink?.commit(epochLine(epoch, this.params.epochs, this.params.steps, performance.now() - this.epochStart, logs));
  }
}

/**
 * A progress bar for fit (what `verbose: 1` shows by default).
 *
 * ```ts
 * await model.fit(x, y, { epochs: 5, verbose: 0, callbacks: [wg.callbacks.progress({ element: div })] });
 * ```
 */
export function progress(opts: ProgressOptions = {}): Callback {
  return new Progress(opts);
}
