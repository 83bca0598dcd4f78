// backward(), .grad, noGrad/detach/requiresGrad_ and the functional wg.grad / wg.valueAndGrad.

import { beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/node';

beforeAll(async () => {
  await wg.init({ backend: 'cpu' });
});

describe('backward', () => {
  it('the lecture example gives x.grad = y, y.grad = x, z.grad = ones', async () => {
    const x = wg.tensor([1, -2, 3], { requiresGrad: true });
    const y = wg.tensor([4, 5, -6], { requiresGrad: true });
    const z = wg.tensor([7, 8, 9], { requiresGrad: true });
    const a = x.mul(y);
    const b = a.add(z);
    const c = b.sum();
    c.backward();
    expect(await x.grad!.array()).toEqual([4, 5, -6]);
    expect(await y.grad!.array()).toEqual([1, -2, 3]);
    expect(await z.grad!.array()).toEqual([1, 1, 1]);
  });

  it('builds gradients lazily: nothing runs until a gradient is read', async () => {
    const x = wg.tensor([1, 2, 3], { requiresGrad: true });
    const before = wg.stats().realizes;
    x.square().mul(x).sum().backward();
    expect(wg.stats().realizes).toBe(before);
    expect(x.grad!.node.op.kind).not.toBe('buffer');
    expect(await x.grad!.array()).toEqual([3, 12, 27]);
  });

  it('repeated backward calls add up in .grad, like PyTorch', async () => {
    const x = wg.tensor([1, 2], { requiresGrad: true });
    const loss = x.mul(3).sum();
    loss.backward();
    loss.backward();
    x.mul(x).sum().backward();
    expect(await x.grad!.array()).toEqual([3 + 3 + 2, 3 + 3 + 4]);
  });

  it('a tensor used twice gets both contributions', async () => {
    const x = wg.tensor([2, -1], { requiresGrad: true });
    x.mul(x).add(x).sum().backward();
    expect(await x.grad!.array()).toEqual([5, -1]);
  });

  it('backward(grad) seeds a non-scalar output', async () => {
    const x = wg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    x.mul(2).backward(wg.tensor([[1, 0], [0.5, -1]]));
    expect(await x.grad!.array()).toEqual([[2, 0], [1, -2]]);
  });

  it('leaves that received the same gradient get independent .grad tensors', async () => {
    const a = wg.tensor([1, 2], { requiresGrad: true });
    const b = wg.tensor([3, 4], { requiresGrad: true });
    a.add(b).sum().backward();
    expect(a.grad).not.toBe(b.grad);
    a.grad!.dispose();
    expect(await b.grad!.array()).toEqual([1, 1]);
  });

  it('only inputs that require gradients receive them', async () => {
    const w = wg.tensor([1, 2], { requiresGrad: true });
    const x = wg.tensor([5, 6]);
    w.mul(x).sum().backward();
    expect(await w.grad!.array()).toEqual([5, 6]);
    expect(x.grad).toBeNull();
    expect(x.requiresGrad).toBe(false);
  });

  it('int and bool results carry no gradient', () => {
    const x = wg.tensor([1.5, -2], { requiresGrad: true });
    expect(x.greater(0).requiresGrad).toBe(false);
    expect(x.argmax().requiresGrad).toBe(false);
    expect(x.cast('int32').requiresGrad).toBe(false);
    expect(x.cast('float32').requiresGrad).toBe(true);
  });

  it('the root of a backward may be a leaf itself', async () => {
    const x = wg.tensor([3], { requiresGrad: true });
    x.backward();
    expect(await x.grad!.array()).toEqual([1]);
  });
});

describe('the loss rides along with the next realize', () => {
  it('after backward, realizing only the update also computes the loss, so reading it runs nothing', async () => {
    const w = wg.tensor([[0.5], [-1]], { requiresGrad: true });
    const x = wg.tensor([[1, 2], [3, 4], [5, 6]]);
    const loss = x.matmul(w).sub(1).square().mean();
    loss.backward();
    const next = wg.noGrad(() => w.sub(w.grad!.mul(0.1)));
    wg.realize(next);
    expect(loss.node.op.kind).toBe('buffer');
    const before = wg.stats();
    // (1·0.5 − 2 − 1)² = 6.25, (1.5 − 4 − 1)² = 12.25, (2.5 − 6 − 1)² = 20.25
    expect(await loss.item()).toBeCloseTo((6.25 + 12.25 + 20.25) / 3, 5);
    expect(wg.stats().realizes).toBe(before.realizes);
    expect(wg.stats().dispatches).toBe(before.dispatches);
  });

  it('only the first realize after backward takes the loss along', async () => {
    const w = wg.tensor([1, 2], { requiresGrad: true });
    const loss = w.square().sum();
    loss.backward();
    wg.realize(wg.tensor([1]).add(1));
    expect(loss.node.op.kind).toBe('buffer');
    const other = w.mul(3).sum();
    other.backward();
    other.dispose();
    const g = w.grad!.add(0);
    wg.realize(g);
    expect(await g.array()).toEqual([2 + 3, 4 + 3]);
  });

  it('valueAndGrad computes its value in the plan that realizes the gradients', async () => {
    const a = wg.tensor([1, 2, 3]);
    const { value, grads } = wg.valueAndGrad((t: wg.Tensor) => t.square().sum())(a);
    wg.realize(grads[0]!);
    expect(value.node.op.kind).toBe('buffer');
    expect(await value.item()).toBe(14);
  });
});

describe('autograd errors', () => {
  it('backward on a non-scalar without a gradient is a ShapeError', () => {
    const x = wg.tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(wg.ShapeError);
    expect(() => x.mul(2).backward()).toThrow(/shape \[2\].*backward\(grad\)/);
  });

  it('backward with a gradient of the wrong shape or dtype is rejected', () => {
    const x = wg.tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward(wg.tensor([1, 2, 3]))).toThrow(wg.ShapeError);
    expect(() => x.mul(2).backward(wg.tensor([1, 2], { dtype: 'int32' }))).toThrow(wg.DTypeError);
  });

  it('backward on a tensor that does not require gradients is an ArgumentError', () => {
    expect(() => wg.tensor([1, 2]).sum().backward()).toThrow(wg.ArgumentError);
    expect(() => wg.tensor([1, 2]).sum().backward()).toThrow(/does not require gradients/);
  });

  it('reading .grad of a computed tensor is an ArgumentError', () => {
    const x = wg.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    y.sum().backward();
    expect(() => y.grad).toThrow(wg.ArgumentError);
    expect(() => y.grad).toThrow(/not a leaf/);
  });

  it('assigning a gradient of the wrong shape is a ShapeError', () => {
    const x = wg.tensor([1, 2], { requiresGrad: true });
    expect(() => (x.grad = wg.tensor([1, 2, 3]))).toThrow(wg.ShapeError);
    x.grad = wg.tensor([1, 1]);
    x.grad = null;
    expect(x.grad).toBeNull();
  });

  it('backward through a tensor disposed by an ended tidy scope is a DisposedError', () => {
    const x = wg.tensor([1, 2], { requiresGrad: true });
    const loss = wg.tidy(() => x.mul(2).relu().sum());
    expect(() => loss.backward()).toThrow(wg.DisposedError);
  });

  it('backward inside the tidy scope works and the gradient survives it', async () => {
    const x = wg.tensor([1, -2], { requiresGrad: true });
    wg.tidy(() => {
      x.mul(2).relu().sum().backward();
    });
    expect(await x.grad!.array()).toEqual([2, 0]);
  });

  it('only float32 tensors can require gradients', () => {
    expect(() => wg.tensor([1, 2], { dtype: 'int32', requiresGrad: true })).toThrow(wg.DTypeError);
    expect(() => wg.tensor([1, 2], { dtype: 'int32' }).requiresGrad_()).toThrow(wg.ArgumentError);
  });

  it('a computed tensor cannot stop requiring gradients (detach it instead)', () => {
    const y = wg.tensor([1], { requiresGrad: true }).mul(2);
    expect(() => y.requiresGrad_(false)).toThrow(/detach/);
  });
});

describe('noGrad, detach, requiresGrad_', () => {
  it('noGrad records nothing', () => {
    const x = wg.tensor([1, 2], { requiresGrad: true });
    const y = wg.noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(() => y.sum().backward()).toThrow(wg.ArgumentError);
  });

  it('detach stops the gradient', async () => {
    const x = wg.tensor([1, 2], { requiresGrad: true });
    x.mul(x.detach()).sum().backward();
    expect(await x.grad!.array()).toEqual([1, 2]);
  });

  it('requiresGrad_ marks an existing leaf', async () => {
    const x = wg.tensor([1, 2]).requiresGrad_();
    x.mul(3).sum().backward();
    expect(await x.grad!.array()).toEqual([3, 3]);
  });
});

describe('wg.grad and wg.valueAndGrad', () => {
  it('wg.grad returns one gradient per tensor argument', async () => {
    const f = (x: wg.Tensor, y: wg.Tensor) => x.mul(y).sum();
    const [dx, dy] = wg.grad(f)(wg.tensor([1, 2]), wg.tensor([3, 4]));
    expect(await dx.array()).toEqual([3, 4]);
    expect(await dy.array()).toEqual([1, 2]);
  });

  it('does not touch .grad of its arguments or of tensors f closes over', async () => {
    const w = wg.tensor([2, 3], { requiresGrad: true });
    const x = wg.tensor([1, 1], { requiresGrad: true });
    const [dx] = wg.grad((v: wg.Tensor) => v.mul(w).sum())(x);
    expect(await dx.array()).toEqual([2, 3]);
    expect(x.grad).toBeNull();
    expect(w.grad).toBeNull();
  });

  it('valueAndGrad returns the value and the gradients', async () => {
    const { value, grads } = wg.valueAndGrad((x: wg.Tensor) => x.square().sum())(wg.tensor([1, 2, 3]));
    expect(await value.item()).toBe(14);
    expect(value.requiresGrad).toBe(false);
    expect(await grads[0].array()).toEqual([2, 4, 6]);
  });

  it('arguments f ignores, and int arguments, get zero gradients; other arguments null', async () => {
    const f = (x: wg.Tensor, _unused: wg.Tensor, labels: wg.Tensor, scale: number) => x.mul(labels).sum().mul(scale);
    const [dx, dUnused, dLabels, dScale] = wg.grad(f)(wg.tensor([1, 2]), wg.tensor([5]), wg.tensor([3, 4], { dtype: 'int32' }), 2);
    expect(await dx.array()).toEqual([6, 8]);
    expect(await dUnused.array()).toEqual([0]);
    expect(dLabels.dtype).toBe('float32');
    expect(await dLabels.array()).toEqual([0, 0]);
    expect(dScale).toBeNull();
  });

  it('works inside noGrad', async () => {
    const [dx] = wg.noGrad(() => wg.grad((x: wg.Tensor) => x.mul(x).sum())(wg.tensor([3])));
    expect(await dx.array()).toEqual([6]);
  });

  it('rejects functions that do not return one float value', () => {
    expect(() => wg.grad((x: wg.Tensor) => x.mul(2))(wg.tensor([1, 2]))).toThrow(wg.ShapeError);
    expect(() => wg.grad((x: wg.Tensor) => x.greater(0).sum())(wg.tensor([1]))).toThrow(wg.DTypeError);
  });
});
