// wg.nn.Module: the PyTorch-style base of layers and user models. Parameters (tensors that
// require gradients), buffers (named non-trainable state) and sub-modules are found in the
// object's own fields, arrays of modules included, as PyTorch's attribute registration.

import { ArgumentError, ShapeError } from '../errors';
import { zeros } from '../ops/creation';
import { sameShape, shapeStr } from '../shape';
import { noGrad, Tensor } from '../tensor';
import { overwrite } from './overwrite';

/** A parameter is a leaf that requires gradients (computed tensors in fields are not). */
const isParameter = (t: Tensor) => t.requiresGrad && t.gradFn === null;

/** A state dict: tensors by dotted name. `loadStateDict` also accepts a plain object. */
export type StateDict = Map<string, Tensor>;

/**
 * The base of every layer and model. Subclass it and write `forward` (PyTorch style):
 *
 * ```ts
 * class Net extends wg.nn.Module {
 *   fc1 = wg.layers.dense({ units: 16, inputShape: [2] });
 *   fc2 = wg.layers.dense({ units: 1 });
 *   forward(x: wg.Tensor) { return this.fc2.apply(this.fc1.apply(x).relu()); }
 * }
 * const net = new Net();
 * net.namedParameters().map(([name]) => name); // after a first call: fc1.kernel, fc1.bias, …
 * ```
 */
export class Module {
  /** Training mode (dropout active, batch statistics used); `eval()` turns it off. */
  training = true;
  /** Field names holding buffers: state that is saved but not trained. */
  private readonly bufferFields = new Set<string>();

  /** The computation; subclasses define it. */
  forward(x: Tensor, opts?: unknown): unknown {
    throw new ArgumentError(`forward: ${this.constructor.name} does not define forward(x) (got an input of shape ${shapeStr(Tensor.check(x, 'forward').shape)}${opts === undefined ? '' : ' and options'})`);
  }

  /** Calls the module: `forward` (layers also build themselves and check the input first). */
  apply(x: Tensor, opts?: unknown): unknown {
    return this.forward(x, opts);
  }

  /**
   * Creates every lazily built parameter by tracing `forward` on a zero input of `inputShape`
   * (batch axis null or a size) in eval mode: the lazy graph is built and dropped, nothing runs,
   * no statistic moves. Layers override it with their own build.
   *
   * ```ts
   * net.build([null, 784]); // net.parameters() now holds every layer's weights
   * ```
   */
  build(inputShape: readonly (number | null)[]): void {
    const modes = this.namedModules().map(([, m]): [Module, boolean] => [m, m.training]);
    this.eval();
    const probe = zeros(inputShape.map((d) => d ?? 1));
    try {
      // Nothing is realized, so the traced outputs hold no device memory.
      noGrad(() => this.forward(probe));
    } finally {
      probe.dispose();
      for (const [m, mode] of modes) m.training = mode;
    }
  }

  /** Marks field `name` as a buffer (non-trainable state kept in the state dict). */
  protected registerBuffer(name: string): void {
    this.bufferFields.add(name);
  }

  /** Hook for modules that create parameters when first asked for them (layers with inputShape). */
  protected materialize(): void {}

  /** The direct sub-modules by field name (`layers.0` for arrays). */
  namedChildren(): [string, Module][] {
    this.materialize();
    const out: [string, Module][] = [];
    for (const [key, v] of Object.entries(this)) {
      if (v instanceof Module) out.push([key, v]);
      else if (Array.isArray(v)) v.forEach((m, i) => m instanceof Module && out.push([`${key}.${i}`, m]));
    }
    return out;
  }

  /** This module and every module below it, by dotted path ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, m] of this.namedChildren()) out.push(...m.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /** The module's own tensors of one kind: parameters (requiring gradients) or buffers. */
  private ownTensors(kind: 'parameter' | 'buffer'): [string, Tensor][] {
    this.materialize();
    const out: [string, Tensor][] = [];
    for (const [key, v] of Object.entries(this)) {
      const isBuffer = this.bufferFields.has(key);
      if (v instanceof Tensor) {
        if (kind === 'buffer' ? isBuffer : !isBuffer && isParameter(v)) out.push([key, v]);
      } else if (Array.isArray(v) && kind === 'parameter') {
        v.forEach((t, i) => t instanceof Tensor && isParameter(t) && out.push([`${key}.${i}`, t]));
      }
    }
    return out;
  }

  private named(kind: 'parameter' | 'buffer'): [string, Tensor][] {
    return this.namedModules().flatMap(([path, m]) => m.ownTensors(kind).map(([n, t]): [string, Tensor] => [path ? `${path}.${n}` : n, t]));
  }

  /** Trainable tensors with dotted names (`fc1.kernel`, `layers.0.bias`). */
  namedParameters(): [string, Tensor][] {
    return this.named('parameter');
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Non-trainable state (batch-norm moving statistics) with dotted names. */
  namedBuffers(): [string, Tensor][] {
    return this.named('buffer');
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /** Elements of every parameter and buffer (Keras's total parameter count). */
  countParams(): number {
    return [...this.parameters(), ...this.buffers()].reduce((n, t) => n + t.size, 0);
  }

  /** Sets training mode on this module and every module below it. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: dropout off, batch norm uses its moving statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Parameters and buffers by dotted name (values as they are now, not tracking gradients). */
  stateDict(): StateDict {
    return new Map([...this.namedParameters(), ...this.namedBuffers()].map(([n, t]) => [n, t.detach()]));
  }

  /**
   * Copies values into this module's parameters and buffers by name. Every name must match
   * both ways and every shape must agree; the error lists the missing and unexpected keys.
   */
  loadStateDict(dict: StateDict | Readonly<Record<string, Tensor>>): void {
    const given = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const own = new Map([...this.namedParameters(), ...this.namedBuffers()]);
    const missing = [...own.keys()].filter((k) => !given.has(k));
    const extra = [...given.keys()].filter((k) => !own.has(k));
    if (missing.length || extra.length) {
      const parts = [missing.length ? `missing keys: ${missing.join(', ')}` : '', extra.length ? `unexpected keys: ${extra.join(', ')}` : ''].filter(Boolean);
      throw new ArgumentError(`loadStateDict: ${parts.join('; ')} (layers create parameters on build: give them inputShape or call the model once first)`);
    }
    for (const [name, target] of own) {
      const value = Tensor.check(given.get(name), 'loadStateDict');
      if (!sameShape(value.shape, target.shape)) {
        throw new ShapeError(`loadStateDict: '${name}' has shape ${shapeStr(target.shape)} in the module, ${shapeStr(value.shape)} in the state dict`);
      }
    }
    for (const [name, target] of own) overwrite(target, given.get(name)!);
  }

  /** Penalties this module itself adds to the loss (layers: their regularizers). */
  protected ownPenalties(): Tensor[] {
    return [];
  }

  /**
   * The sum of every regularizer penalty in this module and below, a scalar to add to the
   * training loss (zero when there are none).
   *
   * ```ts
   * const loss = wg.losses.mse(model.apply(x), y).add(model.regularizationLoss());
   * ```
   */
  regularizationLoss(): Tensor {
    const terms = this.namedModules().flatMap(([, m]) => m.ownPenalties());
    return terms.reduce((a, b) => a.add(b), zeros([]));
  }
}
