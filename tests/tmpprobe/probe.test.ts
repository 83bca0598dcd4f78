import { beforeAll, test } from 'vitest';
import { initBoth, useBackend, wg } from '../helpers';
import { uncapturedErrors } from '../../src/backend/webgpu/device';
beforeAll(initBoth);
async function tryIt(name: string, f: () => unknown) {
  for (const b of ['cpu', 'webgpu'] as const) {
    await useBackend(b);
    const before = uncapturedErrors.length;
    let out: string;
    try {
      const r = f();
      if (r instanceof wg.Tensor) out = 'value ' + JSON.stringify(Array.from(await r.data()).map(String));
      else out = 'returned ' + String(r);
    } catch (e) { out = `THROW ${(e as Error).name}/${(e as Error).constructor.name}: ${(e as Error).message.slice(0, 150)}`; }
    await new Promise((r) => setTimeout(r, 10));
    console.log(`${b} ${name}: ${out}${uncapturedErrors.length > before ? ' GPUERR ' + uncapturedErrors.slice(before).join('|').slice(0, 200) : ''}`);
  }
}
test('probe', async () => {
  await tryIt('lse nan', () => wg.tensor([NaN, 1]).logSumExp());
  await tryIt('lse inf', () => wg.tensor([1, Infinity]).logSumExp());
  await tryIt('lse -inf', () => wg.tensor([-Infinity, -Infinity]).logSumExp());
  await tryIt('softmax nan', () => wg.tensor([NaN, 1]).softmax());
  await tryIt('softmax inf', () => wg.tensor([1, Infinity]).softmax());
  await tryIt('logsoftmax inf', () => wg.tensor([1, Infinity]).logSoftmax());
  await tryIt('softmax -inf', () => wg.tensor([-Infinity, -Infinity]).softmax());
  await tryIt('softmax -inf,1', () => wg.tensor([-Infinity, 1]).softmax());
  await tryIt('exp nan', () => wg.tensor([NaN, Infinity, -Infinity]).exp());
  await tryIt('sum nan', () => wg.tensor([NaN, 1]).sum());
  await tryIt('prod nan', () => wg.tensor([NaN, 1]).prod());
  await tryIt('max nan', () => wg.tensor([1, NaN, 2]).max());
  await tryIt('argmax nan', () => wg.tensor([1, NaN, 2]).argmax());
  await tryIt('argmin nan', () => wg.tensor([1, NaN, 0]).argmin());
  await tryIt('mean inf', () => wg.tensor([Infinity, -Infinity]).mean());
  await tryIt('max empty', () => wg.zeros([2, 0]).max());
  await tryIt('max1 empty', () => wg.zeros([2, 0]).max(1));
  await tryIt('max0 empty', () => wg.zeros([2, 0]).max(0));
  await tryIt('sum empty', () => wg.zeros([2, 0]).sum(1));
  await tryIt('mean empty', () => wg.zeros([2, 0]).mean(1));
  await tryIt('prod empty', () => wg.zeros([2, 0]).prod(1));
  await tryIt('lse empty', () => wg.zeros([2, 0]).logSumExp(1));
  await tryIt('var empty', () => wg.zeros([2, 0]).variance(1));
  await tryIt('conv cin0', () => wg.conv2d(wg.zeros([1, 4, 4, 0]), wg.zeros([3, 3, 0, 2])));
  await tryIt('ones huge', () => wg.ones([65536, 65536, 4]).add(1));
  await tryIt('full huge', () => wg.full([2 ** 31, 4], 1).sum());
  await tryIt('pad huge', () => wg.ones([2]).pad([[1e6, 0]]).sum());
  await tryIt('gather oob', () => wg.tensor([1, 2]).gather(wg.tensor([5], { dtype: 'int32' })));
  await tryIt('name', () => new wg.ShapeError('x').name);
});
test('probe2', async () => {
  await tryIt('argmax nan', () => wg.tensor([1, NaN, 2, NaN]).argmax());
  await tryIt('argmin nan', () => wg.tensor([1, NaN, 0]).argmin());
  await tryIt('argmax nan coop', () => wg.tensor(Array.from({ length: 300 }, (_, i) => (i === 200 || i === 250 ? NaN : i))).argmax());
  await tryIt('softmax nan long', () => wg.tensor(Array.from({ length: 300 }, (_, i) => (i === 200 ? NaN : i / 300))).softmax().slice([0], [3]));
  await tryIt('conv1d', () => wg.conv1d(wg.zeros([1, 8, 2]), wg.zeros([3, 3, 2])));
  await tryIt('conv1d pad', () => wg.conv1d(wg.zeros([1, 8, 2]), wg.zeros([3, 2, 2]), { padding: [1, 1] as never }));
  await tryIt('conv2d same', () => wg.conv2d(wg.zeros([1, 4, 4, 1]), wg.zeros([3, 3, 1, 1]), 'same' as never));
  await tryIt('convT groups', () => wg.conv2dTranspose(wg.zeros([1, 4, 4, 2]), wg.zeros([3, 3, 2, 2]), { groups: 2 } as never));
  await tryIt('gelu tanh', () => wg.zeros([2]).gelu('tanh' as never));
  await tryIt('sum false', () => wg.zeros([2]).sum(0, 'false' as never));
  await tryIt('rand int', () => wg.rand([2], { dtype: 'int32' }));
  await tryIt('tensor 3e9', () => wg.tensor([3e9], { dtype: 'int32' }));
  await tryIt('slice null', () => wg.zeros([2, 2]).slice(null as never, [1, 1]));
  await tryIt('transpose 1', () => wg.zeros([2, 2]).transpose(1 as never));
  await tryIt('sum {}', () => wg.zeros([2, 2]).sum({} as never));
  await tryIt('mean null', () => wg.zeros([2, 2]).mean(null as never));
  await tryIt('zeros bad', () => wg.zeros([-1]));
  await tryIt('stack dtype', () => wg.stack([wg.zeros([1]), wg.zeros([1], { dtype: 'int32' })]));
  await tryIt('reshape ambiguous', () => wg.zeros([0, 3]).reshape([-1, 0]));
  await tryIt('bool sub', () => wg.tensor([true]).sub(wg.tensor([false])));
  await tryIt('gather neg', () => wg.tensor([1, 2]).gather(wg.tensor([-1], { dtype: 'int32' })));
  await tryIt('onehot', () => wg.oneHot(wg.tensor([5, 6, 7], { dtype: 'int32' }), 3));
  await tryIt('unknown key', () => wg.zeros([2], { dtyp: 'int32' } as never));
  await tryIt('exp nan', () => wg.tensor([NaN, Infinity, -Infinity]).exp());
  await tryIt('lse nan', () => wg.tensor([NaN, 1]).logSumExp());
});
test('probe3', async () => {
  await tryIt('zeros div 0', () => wg.zeros([2]).div(0));
  await tryIt('full 1 div 0', () => wg.full([2], 1).div(0));
  await tryIt('const log', () => wg.full([2], -1).sqrt());
});
