// Layer: a Module built from a Keras-style option object. It creates its parameters once its
// input size is known (inputShape, build(), or the first call), checks every input against the
// shape it was built for, and knows its output shape and parameter count without running.

import { ArgumentError, ShapeError } from '../errors';
import { zeros } from '../ops/creation';
import { shapeStr } from '../shape';
import { noGrad, realizeWithNext, Tensor } from '../tensor';
import { getInitializer, type InitializerSpec } from './initializers';
import { Module } from './module';
import type { Regularizer } from './regularizers';

/** A shape with the batch axis (and any unknown axis) as null, as Keras prints it. */
export type LayerShape = readonly (number | null)[];

/** Options every layer takes. */
export interface LayerOptions {
  /** Defaults to a Keras-style name: `dense`, `dense_1`, … per kind. */
  name?: string;
  /** The input shape without the batch axis; the layer builds at once. */
  inputShape?: readonly number[];
}

/** What a built layer accepts: its expected axes (null: any size), more leading axes allowed. */
export interface InputSpec {
  readonly axes: LayerShape;
  readonly anyLeading?: boolean;
}

const nameCounts = new Map<string, number>();

/** A Keras-style name per kind: `dense`, `dense_1`, …; Sequential models name themselves with it too. */
export function autoName(base: string): string {
  const n = nameCounts.get(base) ?? 0;
  nameCounts.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

export const formatShape = (s: LayerShape): string => `[${s.map((d) => (d === null ? 'null' : d)).join(',')}]`;

/**
 * The base of `wg.layers.*`. `Out` is what `apply` returns, `CallOpts` its second argument.
 * Subclasses implement `createParameters` (from the built input shape), `forward` and
 * `outputShape`.
 */
export abstract class Layer<Opts extends LayerOptions = LayerOptions, Out = Tensor, CallOpts = undefined> extends Module {
  /** The Keras class name (`'Dense'`, `'LSTM'`…), the key of the layer registry. */
  abstract readonly className: string;
  readonly name: string;
  /** The options the layer was made with (serializable). */
  protected readonly config: Opts;
  /** The input shape (batch axis null) the layer was built for, or null before building. */
  builtShape: LayerShape | null = null;
  protected inputSpec: InputSpec | null = null;
  /** Where the layer sits in its model (set by a Sequential), for error messages. */
  positionInModel: number | null = null;

  constructor(baseName: string, config: Opts) {
    super();
    this.config = { ...config };
    this.name = config.name ?? autoName(baseName);
  }

  get built(): boolean {
    return this.builtShape !== null;
  }

  /** The layer's options plus its name, enough to make it again with the registry. */
  getConfig(): Opts & { name: string } {
    return { ...this.config, name: this.name };
  }

  protected override materialize(): void {
    if (!this.built && this.config.inputShape) this.build([null, ...this.config.inputShape]);
  }

  /** Creates the parameters for inputs of `inputShape` (batch axis first, may be null). Once. */
  override build(inputShape: LayerShape): void {
    if (this.built) return;
    if (!Array.isArray(inputShape) || !inputShape.every((d) => d === null || (Number.isInteger(d) && d >= 0))) {
      throw new ArgumentError(`${this.where()}: build needs a shape of sizes or null, got ${JSON.stringify(inputShape)}`);
    }
    this.inputSpec = this.createParameters(inputShape);
    this.builtShape = [...inputShape];
  }

  /** Creates the parameters and returns what inputs the layer then accepts. */
  protected abstract createParameters(inputShape: LayerShape): InputSpec;

  /** The shape `apply` returns for inputs of `inputShape` (batch first, may be null). */
  abstract outputShape(inputShape: LayerShape): LayerShape;

  abstract override forward(x: Tensor, opts?: CallOpts): Out;

  /** Builds on first use, checks the input's shape (ShapeError at the call), then `forward`. */
  override apply(x: Tensor, opts?: CallOpts): Out {
    x = Tensor.check(x, this.name);
    this.materialize();
    if (!this.built) this.build([null, ...x.shape.slice(1)]);
    this.checkInput(x);
    return this.forward(x, opts);
  }

  /** The layer's name and place in its model, for messages. */
  protected where(): string {
    return this.positionInModel === null ? `${this.className} '${this.name}'` : `${this.className} '${this.name}' (layer ${this.positionInModel} of the model)`;
  }

  /** The spec as a shape for messages: `[null, 784]`, `[..., 784]` where more axes may lead. */
  private expected(spec: InputSpec): string {
    return spec.anyLeading ? `[...,${spec.axes.map((d) => (d === null ? 'null' : d)).join(',')}]` : formatShape(spec.axes);
  }

  /** Throws ShapeError when `x` does not fit what the layer was built for. */
  protected checkInput(x: Tensor): void {
    const spec = this.inputSpec;
    if (!spec) return;
    const r = spec.axes.length;
    const rankOk = spec.anyLeading ? x.rank >= r : x.rank === r;
    const lead = x.rank - r;
    const sizesOk = rankOk && spec.axes.every((d, i) => d === null || x.shape[lead + i] === d);
    if (!sizesOk) {
      throw new ShapeError(`${this.where()}: expected an input of shape ${this.expected(spec)}, got ${shapeStr(x.shape)}`);
    }
  }

  /** Throws ShapeError unless `shape` has `rank` axes (for build and outputShape). */
  protected requireRank(shape: LayerShape, rank: number, what: string): void {
    if (shape.length !== rank) throw new ShapeError(`${this.where()}: expects ${what} (rank ${rank}), got an input of shape ${formatShape(shape)}`);
  }

  /** Throws ShapeError unless axis `axis` of `shape` is a known size; returns it. */
  protected knownAxis(shape: LayerShape, axis: number, what: string): number {
    const d = shape[axis < 0 ? shape.length + axis : axis];
    if (d === null || d === undefined) throw new ShapeError(`${this.where()}: the ${what} of the input must be known, got shape ${formatShape(shape)}`);
    return d;
  }

  /** A new trainable weight drawn by `spec` (a leaf; see `keep`). */
  protected weight(shape: readonly number[], spec: InitializerSpec): Tensor {
    return this.keep(getInitializer(spec, this.name).init(shape).requiresGrad_());
  }

  /**
   * `t` (a layer's weight or state, drawn lazily on the device) computed with the next realize,
   * whatever it computes, so it becomes a buffer of its own once instead of being drawn again by
   * every graph that reads it.
   */
  protected keep(t: Tensor): Tensor {
    realizeWithNext(t);
    return t;
  }

  /**
   * The output shape by building the lazy graph of `forward` on a zero input (nothing runs;
   * for layers whose size rules live in their op, like conv and pooling).
   */
  protected traceShape(inputShape: LayerShape, run: (x: Tensor) => Tensor): LayerShape {
    if (inputShape.slice(1).some((d) => d === null)) {
      throw new ShapeError(`${this.where()}: needs known sizes past the batch axis, got ${formatShape(inputShape)}`);
    }
    const probe = zeros(inputShape.map((d) => d ?? 1) as number[]);
    const y = noGrad(() => run(probe));
    const shape = [inputShape[0], ...y.shape.slice(1)];
    y.dispose();
    probe.dispose();
    return shape;
  }

  /** The regularizer's penalty on `w`, when both exist. */
  protected penaltyOf(w: Tensor | null, reg: Regularizer | undefined): Tensor[] {
    return w && reg ? [reg.penalty(w)] : [];
  }
}

/** Checks a layer option that must be an integer ≥ `min`; returns it. */
export function checkInteger(layer: string, name: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ArgumentError(`${layer}: ${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}
