// The functional form of autograd (JAX's grad and value_and_grad): wrap a scalar function so
// it returns gradients with respect to its tensor arguments, without touching any `.grad`.

import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { zerosLike } from '../ops/creation';
import { fullNode } from '../ops/node-builders';
import { shapeStr } from '../shape';
import { enableGrad, makeTensor, realizeWithNext, Tensor } from '../tensor';
import { leafGradients } from './backward';

/** One gradient per argument: a Tensor for each tensor argument, null for anything else. */
export type Grads<A extends readonly unknown[]> = { [K in keyof A]: A[K] extends Tensor ? Tensor : null };

/**
 * `f` returning its value and its gradients with respect to each tensor argument (zeros where
 * `f` does not depend on it, and for int or bool arguments, which have no gradient).
 *
 * ```ts
 * const loss = (w: wg.Tensor, x: wg.Tensor) => x.matmul(w).square().mean();
 * const { value, grads: [dw, dx] } = wg.valueAndGrad(loss)(w, x);
 * ```
 */
export function valueAndGrad<A extends readonly unknown[]>(f: (...args: A) => Tensor): (...args: A) => { value: Tensor; grads: Grads<A> } {
  if (typeof f !== 'function') throw new ArgumentError(`valueAndGrad: expected a function, got ${typeof f}`);
  const both = gradients(f, 'valueAndGrad');
  return (...args: A) => {
    const result = both(...args);
    // The value is computed in the plan that realizes the gradients (see realizeWithNext).
    realizeWithNext(result.value);
    return result;
  };
}

/** The value and gradients of `f` as lazy tensors; errors name `op`, the call the user made. */
function gradients<A extends readonly unknown[]>(f: (...args: A) => Tensor, op: string): (...args: A) => { value: Tensor; grads: Grads<A> } {
  return (...args: A) => {
    // Fresh leaves: gradients with respect to these values, whatever graph they came from.
    const leaves = args.map((a) => (a instanceof Tensor && Tensor.check(a, op).dtype === 'float32' ? makeTensor(a.node).requiresGrad_() : a));
    const out = enableGrad(() => f(...(leaves as unknown as A)));
    if (!(out instanceof Tensor)) throw new ArgumentError(`${op}: the function must return a Tensor, got ${out === null ? 'null' : typeof out}`);
    if (out.size !== 1) throw new ShapeError(`${op}: the function must return one value, got a tensor of shape ${shapeStr(out.shape)}`);
    if (out.dtype !== 'float32') throw new DTypeError(`${op}: the function must return a float32 value, got ${out.dtype}`);
    const found = out.requiresGrad ? leafGradients(out, makeTensor(fullNode(out.shape, 1, 'float32'))) : new Map<Tensor, Tensor>();
    const grads = args.map((a, i) => {
      if (!(a instanceof Tensor)) return null;
      const g = found.get(leaves[i] as Tensor);
      return g ? makeTensor(g.node) : zerosLike(a, { dtype: 'float32' });
    });
    return { value: makeTensor(out.node), grads: grads as Grads<A> };
  };
}

/**
 * `f`'s gradients with respect to each tensor argument, for a function returning one value.
 *
 * ```ts
 * const [dx] = wg.grad((x: wg.Tensor) => x.square().sum())(wg.tensor([1, 2, 3]));
 * await dx.array(); // [2, 4, 6]
 * ```
 */
export function grad<A extends readonly unknown[]>(f: (...args: A) => Tensor): (...args: A) => Grads<A> {
  if (typeof f !== 'function') throw new ArgumentError(`grad: expected a function, got ${typeof f}`);
  const both = gradients(f, 'grad');
  return (...args: A) => both(...args).grads;
}
