// Reverse-mode autograd over the lazy graph (DESIGN.md invariant 11): walk the recorded
// gradFns from the output back to the leaves and call each op's VJP rule, which builds more
// lazy nodes. Nothing runs here; gradients realize together with whatever reads them.

import { ArgumentError, DisposedError, DTypeError, ShapeError } from '../errors';
import { keep } from '../lifetime';
import { fullNode } from '../ops/node-builders';
import { sameShape, shapeStr } from '../shape';
import { makeTensor, noGrad, ownGrad, realizeWithNext, Tensor } from '../tensor';

/** The tensors `root` was computed from that require gradients, each before its inputs. */
function reverseTopo(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const inputs = top[0].gradFn?.inputs ?? [];
    if (top[1] < inputs.length) {
      const next = inputs[top[1]++];
      if (next.requiresGrad && next.disposed) {
        throw new DisposedError(
          `backward: a ${shapeStr(next.shape)} tensor the output was computed from was disposed (by dispose() or a tidy scope that ended); call backward() before the tensors it needs are disposed, e.g. inside the same tidy`,
        );
      }
      if (next.requiresGrad && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(top[0]);
    }
  }
  return order.reverse();
}

/**
 * The gradients of `root`, given its own gradient `seed`, with respect to every leaf it depends
 * on that requires gradients. Lazy tensors recorded without a graph of their own (noGrad).
 */
export function leafGradients(root: Tensor, seed: Tensor): Map<Tensor, Tensor> {
  return noGrad(() => {
    const grads = new Map<Tensor, Tensor>([[root, seed]]);
    const leaves = new Map<Tensor, Tensor>();
    for (const t of reverseTopo(root)) {
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      if (!t.gradFn) {
        leaves.set(t, g);
        continue;
      }
      const { inputs, vjp } = t.gradFn;
      vjp(g, t).forEach((gx, i) => {
        const x = inputs[i];
        if (!gx || !x.requiresGrad) return;
        if (!sameShape(gx.shape, x.shape)) {
          throw new Error(`backward: a gradient rule gave shape ${shapeStr(gx.shape)} for an input of shape ${shapeStr(x.shape)} (a webgrad bug)`);
        }
        const before = grads.get(x);
        grads.set(x, before ? before.add(gx) : gx);
      });
    }
    return leaves;
  });
}

/** The gradient `backward` starts from: `grad`, or 1 for a one-element output. */
function seedFor(root: Tensor, grad: Tensor | undefined): Tensor {
  if (grad === undefined) {
    if (root.size !== 1) {
      throw new ShapeError(`backward: the output has shape ${shapeStr(root.shape)}; only one-element outputs get an implicit gradient of 1, so pass backward(grad) with a gradient of that shape`);
    }
    return makeTensor(fullNode(root.shape, 1, 'float32'));
  }
  grad = Tensor.check(grad, 'backward');
  if (!sameShape(grad.shape, root.shape)) throw new ShapeError(`backward: grad has shape ${shapeStr(grad.shape)}, expected the output's shape ${shapeStr(root.shape)}`);
  if (grad.dtype !== 'float32') throw new DTypeError(`backward: grad must be float32, got ${grad.dtype}`);
  return grad;
}

/** `root.backward(grad?)`: adds ∂root/∂leaf into `leaf.grad` for every leaf that requires it. */
export function backward(root: Tensor, grad?: Tensor): void {
  root = Tensor.check(root, 'backward');
  if (!root.requiresGrad) {
    throw new ArgumentError(
      `backward: the ${shapeStr(root.shape)} tensor does not require gradients (none of its inputs was created with requiresGrad: true, or it was computed under noGrad or from detach())`,
    );
  }
  for (const [leaf, g] of leafGradients(root, seedFor(root, grad))) {
    const before = leaf.grad;
    // A fresh handle per leaf (leaves that received the same gradient stay independent), kept
    // past enclosing tidy scopes: it lives as long as the leaf holds it.
    leaf.grad = ownGrad(keep(before ? noGrad(() => before.add(g)) : makeTensor(g.node)));
  }
  realizeWithNext(root);
}
