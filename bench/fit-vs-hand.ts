// fit against the same training written by hand: the 784-256-128-10 MLP with Adam at batch 128
// on device-resident data, one epoch of each timed after a warm-up epoch. The hand-written loop
// is the PyTorch one over batches sliced once; fit shuffles, accumulates its loss on the device
// and reads it once per epoch. Takes the webgrad module so a page or Node can run it.

import type * as Webgrad from '../src/index';

type Wg = typeof Webgrad;

export interface FitVsHandRow {
  backend: string;
  batches: number;
  handMsPerBatch: number;
  fitMsPerBatch: number;
  /** fit ms per batch / hand-written ms per batch. */
  ratio: number;
  /** Per fit epoch: submits (realizes and reads) and bytes read back. */
  fitSubmitsPerEpoch: number;
  fitBytesReadPerEpoch: number;
  /** wg.memory().liveBytes after each fit epoch. */
  liveBytesPerEpoch: number[];
}

const SIZES = [784, 256, 128, 10];
const BATCH = 128;

function model(wg: Wg): Webgrad.Sequential {
  return wg.sequential([
    wg.layers.dense({ units: SIZES[1], activation: 'relu', inputShape: [SIZES[0]] }),
    wg.layers.dense({ units: SIZES[2], activation: 'relu' }),
    wg.layers.dense({ units: SIZES[3] }),
  ]);
}

/** Times `epochs` epochs of `batches` batches each way on `backend`. */
export async function fitVsHand(wg: Wg, backend: 'webgpu' | 'cpu', batches = 8, epochs = 2): Promise<FitVsHandRow> {
  await wg.init({ backend });
  wg.seed(0);
  const n = batches * BATCH;
  const x = wg.keep(wg.rand([n, SIZES[0]]));
  const y = wg.keep(wg.randint(0, SIZES[3], [n]));
  wg.realize(x, y);

  // By hand: batches sliced once, then the PyTorch loop; the last loss read at each epoch's end.
  const hand = model(wg);
  const opt = new wg.optim.Adam(hand, { lr: 1e-3 });
  const xs = Array.from({ length: batches }, (_, b) => x.slice([b * BATCH, 0], [BATCH, -1]));
  const ys = Array.from({ length: batches }, (_, b) => y.slice([b * BATCH], [BATCH]));
  wg.realize(...xs, ...ys);
  const handEpoch = async () => {
    let loss: Webgrad.Tensor | null = null;
    for (let b = 0; b < batches; b++) {
      opt.zeroGrad();
      loss = wg.losses.crossEntropy(hand.forward(xs[b]), ys[b]);
      loss.backward();
      opt.step();
    }
    await loss!.item();
  };
  await handEpoch();
  const h0 = performance.now();
  for (let e = 0; e < epochs; e++) await handEpoch();
  const handMs = (performance.now() - h0) / (epochs * batches);

  const fitted = model(wg);
  fitted.compile({ optimizer: 'adam', loss: { name: 'sparseCategoricalCrossentropy', fromLogits: true } });
  const fitOpts = { epochs: 1, batchSize: BATCH, verbose: 0 as const };
  await fitted.fit(x, y, fitOpts);
  const liveBytesPerEpoch: number[] = [];
  const probe = { onEpochEnd: () => void liveBytesPerEpoch.push(wg.memory().liveBytes) };
  wg.resetStats();
  const f0 = performance.now();
  await fitted.fit(x, y, { ...fitOpts, epochs, callbacks: [probe] });
  const fitMs = (performance.now() - f0) / (epochs * batches);
  const s = wg.stats();

  for (const t of [x, y, ...xs, ...ys]) t.dispose();
  return {
    backend,
    batches,
    handMsPerBatch: handMs,
    fitMsPerBatch: fitMs,
    ratio: fitMs / handMs,
    fitSubmitsPerEpoch: s.submits / epochs,
    fitBytesReadPerEpoch: s.bytesRead / epochs,
    liveBytesPerEpoch,
  };
}
