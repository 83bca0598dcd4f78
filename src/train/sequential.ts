// wg.sequential: a Module that runs its layers in order, Keras's Sequential. It builds each
// layer from the one before (at once when the first has inputShape), prints Keras's summary,
// and trains through compile / fit / evaluate / predict and the *OnBatch calls.

import { realize } from '../engine';
import { ArgumentError, ShapeError } from '../errors';
import { autoName, Layer, type LayerOptions, type LayerShape } from '../nn/layer';
import { Module } from '../nn/module';
import { noGrad, Tensor } from '../tensor';
import type { Dataset } from '../data/dataset';
import type { TrainingModel } from './callbacks/callback';
import { resolveCompile, type AnyOptimizer, type CompileOptions, type Compiled } from './compile';
import { DeviceSums } from './device-sums';
import { evaluate, predict, type EvaluateOptions, type PredictOptions } from './evaluate';
import { fit, type FitOptions } from './fit';
import type { History } from './history';
import { adaptInput, adaptTargets, checkSampleCounts, checkTargets } from './inputs';
import { get as getMetric, type Metric } from './metrics';
import { saveModel } from './save-model';
import { testStep, trainStep } from './step';
import { summaryTable } from './summary';

/** Any layer a Sequential holds. */
export type AnyLayer = Layer<LayerOptions, unknown, unknown>;

/** Keras's Sequential model (API.md "Layers and models"). */
export class Sequential extends Module implements TrainingModel {
  readonly name: string;
  readonly layers: AnyLayer[] = [];
  /** Set to true from a callback to stop fit after the current epoch. */
  stopTraining = false;
  private compiled: Compiled | null = null;

  constructor(layers: readonly AnyLayer[] = [], opts: { name?: string } = {}) {
    super();
    this.name = opts.name ?? autoName('sequential');
    for (const l of layers) this.add(l);
  }

  /** Appends a layer; it is built at once when the model before it is. */
  add(layer: AnyLayer): this {
    if (!(layer instanceof Layer)) throw new ArgumentError(`Sequential.add: expected a layer (wg.layers.*), got ${layer === null ? 'null' : typeof layer}`);
    if (this.layers.length > 0 && layer.getConfig().inputShape) {
      throw new ArgumentError(`Sequential.add: only the first layer takes inputShape ('${layer.name}' is layer ${this.layers.length + 1})`);
    }
    const given = layer.getConfig().inputShape;
    const shape = this.layers.length === 0 && given ? [null, ...given] : this.outputShape();
    layer.positionInModel = this.layers.length + 1;
    this.layers.push(layer);
    if (shape) layer.build(shape);
    return this;
  }

  /** Builds every layer for inputs of `inputShape` (batch axis first, null for any). */
  override build(inputShape: LayerShape): void {
    if (this.layers.length === 0) throw new ArgumentError('Sequential.build: the model has no layers (add some first)');
    let shape = inputShape;
    for (const l of this.layers) {
      l.build(shape);
      shape = l.outputShape(shape);
    }
  }

  /** The input shape the model was built for (batch axis null), or null before it is built. */
  inputShape(): LayerShape | null {
    return this.layers[0]?.builtShape ?? null;
  }

  /** The output shape (batch axis null), or null before the model is built. */
  outputShape(): LayerShape | null {
    let shape = this.inputShape();
    for (const l of this.layers) {
      if (!shape) return null;
      shape = l.outputShape(shape);
    }
    return shape;
  }

  /** @internal The last layer for messages: `Dense 'dense_2' (layer 3 of the model)`. */
  lastLayerLabel(): string {
    const l = this.layers[this.layers.length - 1];
    return l ? `${l.className} '${l.name}' (layer ${this.layers.length})` : 'none';
  }

  override forward(x: Tensor): Tensor {
    if (this.layers.length === 0) throw new ArgumentError('Sequential: the model has no layers (add some first)');
    return this.layers.reduce<Tensor>((h, l) => {
      const out = l.apply(h);
      if (!(out instanceof Tensor)) throw new ArgumentError(`Sequential: ${l.className} '${l.name}' returns more than one tensor (a Sequential needs one; drop returnState)`);
      return out;
    }, x);
  }

  /**
   * Prints and returns Keras's table: each layer, its output shape and parameter count, and
   * the totals.
   *
   * ```ts
   * model.summary(); // Total params: 11,290 …
   * ```
   */
  summary(): string {
    let shape = this.inputShape();
    if (!shape) throw new ArgumentError(`summary: the model '${this.name}' is not built yet (give the first layer inputShape, or call build, fit or predict first)`);
    const rows = this.layers.map((layer) => {
      shape = layer.outputShape(shape!);
      return { layer, outputShape: shape };
    });
    const table = summaryTable(this.name, rows);
    console.log(table);
    return table;
  }

  /**
   * Sets the optimizer, loss and metrics for training.
   *
   * ```ts
   * model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
   * ```
   */
  compile(opts: CompileOptions): void {
    this.compiled = resolveCompile(this, opts);
  }

  /** The compiled optimizer, or null before compile. */
  get optimizer(): AnyOptimizer | null {
    return this.compiled?.optimizer ?? null;
  }

  /** @internal The compiled state; throws a clear error before compile. */
  compiledFor(op: string): Compiled {
    if (!this.compiled) throw new ArgumentError(`${op}: the model must be compiled first: call model.compile({ optimizer, loss, metrics }) before ${op}`);
    return this.compiled;
  }

  /** @internal Builds the model for `x` when it is not built yet. */
  buildFor(x: Tensor): void {
    if (!this.inputShape()) this.build([null, ...x.shape.slice(1)]);
  }

  /** @internal The compiled metrics, resolved for the built model's output. */
  metricsFor(c: Compiled): Metric[] {
    const outputShape = this.outputShape() ?? [];
    return c.metrics.map((m) => getMetric(m, { lossName: c.lossName, outputShape }));
  }

  /**
   * Trains the model (Keras's fit). Resolves to the History once training ends.
   *
   * ```ts
   * const history = await model.fit(x, y, { epochs: 5, batchSize: 32, validationSplit: 0.1 });
   * history.history.loss; // one value per epoch
   * ```
   */
  fit(x: Tensor | Dataset, y?: Tensor | FitOptions, opts?: FitOptions): Promise<History> {
    return fit(this, x, y, opts);
  }

  /**
   * The loss (and metrics) on data, in batches: a number, or `[loss, ...metrics]` when compiled
   * with metrics (Keras).
   *
   * ```ts
   * const [loss, acc] = (await model.evaluate(xTest, yTest)) as number[];
   * ```
   */
  evaluate(x: Tensor | Dataset, y?: Tensor | EvaluateOptions, opts?: EvaluateOptions): Promise<number | number[]> {
    return evaluate(this, x, y, opts);
  }

  /**
   * The model's outputs for `x`, computed in batches (evaluation mode), as one tensor.
   *
   * ```ts
   * const probs = model.predict(xTest, { batchSize: 256 });
   * ```
   */
  predict(x: Tensor, opts: PredictOptions = {}): Tensor {
    return predict(this, x, opts);
  }

  /** The outputs for one batch (evaluation mode, no gradients). */
  predictOnBatch(x: Tensor): Tensor {
    const input = adaptInput('predictOnBatch', this, x);
    this.buildFor(input);
    this.eval();
    return noGrad(() => this.forward(input));
  }

  /** One optimizer step on a batch; resolves to its loss (a number). */
  async trainOnBatch(x: Tensor, y: Tensor): Promise<number> {
    const c = this.compiledFor('trainOnBatch');
    const input = adaptInput('trainOnBatch', this, x);
    this.buildFor(input);
    const targets = adaptTargets('trainOnBatch', this, c, y);
    checkSampleCounts('trainOnBatch', input, targets);
    checkTargets('trainOnBatch', this, c, targets);
    this.train();
    const loss = trainStep(this, c, [], input, targets, input.shape[0], null);
    const value = await loss.item();
    loss.dispose();
    return value;
  }

  /** The loss (and metrics) on one batch, as evaluate returns them. */
  async testOnBatch(x: Tensor, y: Tensor): Promise<number | number[]> {
    const c = this.compiledFor('testOnBatch');
    const input = adaptInput('testOnBatch', this, x);
    this.buildFor(input);
    const targets = adaptTargets('testOnBatch', this, c, y);
    checkSampleCounts('testOnBatch', input, targets);
    checkTargets('testOnBatch', this, c, targets);
    const metrics = this.metricsFor(c);
    this.eval();
    const sums = new DeviceSums(1 + metrics.length);
    testStep(this, c, metrics, input, targets, input.shape[0], sums);
    sums.flush();
    const { means } = await sums.snapshot();
    sums.dispose();
    return metrics.length ? means : means[0];
  }

  /** Copies of every weight, layer by layer (parameters, then state such as moving means). */
  getWeights(): Tensor[] {
    const copies = noGrad(() => this.weightList().map(([, t]) => t.detach().mul(1)));
    realize(...copies);
    return copies;
  }

  /** Sets every weight from a list in getWeights' order (same count and shapes). */
  setWeights(weights: readonly Tensor[]): void {
    const own = this.weightList();
    if (!Array.isArray(weights) || weights.length !== own.length) {
      throw new ArgumentError(`setWeights: the model has ${own.length} weights, got ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    own.forEach(([name, t], i) => {
      const w = Tensor.check(weights[i], 'setWeights');
      if (w.dtype !== t.dtype || w.shape.length !== t.shape.length || w.shape.some((d, k) => d !== t.shape[k])) {
        throw new ShapeError(`setWeights: weight ${i} ('${name}') has shape [${t.shape.join(',')}] ${t.dtype}, got [${w.shape.join(',')}] ${w.dtype}`);
      }
    });
    noGrad(() => own.forEach(([, t], i) => t.assign(weights[i].detach())));
    realize(...own.map(([, t]) => t));
  }

  /** @internal The weights with their dotted names, in Keras's order (layer by layer). */
  weightList(): [string, Tensor][] {
    return this.layers.flatMap((l, i) => [...l.namedParameters(), ...l.namedBuffers()].map(([n, t]): [string, Tensor] => [`layers.${i}.${n}`, t]));
  }

  /** The architecture as JSON: each layer's class name and config. */
  toJSON(): { className: 'Sequential'; config: { name: string; layers: { className: string; config: object }[] } } {
    return { className: 'Sequential', config: { name: this.name, layers: this.layers.map((l) => ({ className: l.className, config: l.getConfig() })) } };
  }

  /**
   * Saves the architecture (JSON) and weights (safetensors) to a `wg.io` target.
   *
   * ```ts
   * await model.save('indexeddb://my-model');
   * ```
   */
  save(target: unknown): Promise<void> {
    return saveModel(this, target);
  }
}

/**
 * A Sequential model from a list of layers (more can be added with `add`).
 *
 * ```ts
 * const model = wg.sequential([wg.layers.dense({ units: 1, inputShape: [1] })]);
 * model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * ```
 */
export function sequential(layers: readonly AnyLayer[] = [], opts: { name?: string } = {}): Sequential {
  return new Sequential(layers, opts);
}
