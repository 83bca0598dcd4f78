// fit against the same training written by hand (the 784-256-128-10 MLP, Adam, batch 128, data
// on the device; the hand loop over batches sliced once), epochs interleaved after a warm-up;
// ms per batch, fit's submits and bytes read per epoch, memory after each epoch.

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
  /** wg.memory().liveBytes after each fit epoch (the first is the warm-up). */
  liveBytesPerEpoch: number[];
}

const SIZES = [784, 256, 128, 10];
const BATCH = 128;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function model(wg: Wg): Webgrad.Sequential {
  return wg.sequential([
    wg.layers.dense({ units: SIZES[1], activation: 'relu', inputShape: [SIZES[0]] }),
    wg.layers.dense({ units: SIZES[2], activation: 'relu' }),
    wg.layers.dense({ units: SIZES[3] }),
  ]);
}

/** Times `epochs` epochs of `batches` batches each way on `backend` (medians over epochs). */
export async function fitVsHand(wg: Wg, backend: 'webgpu' | 'cpu', batches = 6, epochs = 4): Promise<FitVsHandRow> {
  await wg.init({ backend });
  wg.seed(0);
  const n = batches * BATCH;
  const x = wg.keep(wg.rand([n, SIZES[0]]));
  const y = wg.keep(wg.randint(0, SIZES[3], [n]));
  wg.realize(x, y);

  // By hand: batches sliced once, then the PyTorch loop; the last loss read at each epoch's end.
  const byHand = model(wg);
  const opt = new wg.optim.Adam(byHand, { lr: 1e-3 });
  const xs = Array.from({ length: batches }, (_, b) => x.slice([b * BATCH, 0], [BATCH, -1]));
  const ys = Array.from({ length: batches }, (_, b) => y.slice([b * BATCH], [BATCH]));
  wg.realize(...xs, ...ys);
  const handEpoch = async () => {
    let loss: Webgrad.Tensor | null = null;
    for (let b = 0; b < batches; b++) {
      opt.zeroGrad();
      loss = wg.losses.crossEntropy(byHand.forward(xs[b]), ys[b]);
      loss.backward();
      opt.step();
    }
    await loss!.item();
  };
  // Interleaved so that a machine's changing load hits both alike: each fit epoch begins with
  // a hand-written epoch (timed apart); the first of each is a warm-up.
  const fitted = model(wg);
  fitted.compile({ optimizer: 'adam', loss: { name: 'sparseCategoricalCrossentropy', fromLogits: true } });
  const handMs: number[] = [];
  const fitMs: number[] = [];
  const submits: number[] = [];
  const bytesRead: number[] = [];
  const liveBytesPerEpoch: number[] = [];
  let t0 = 0;
  let s0 = wg.stats();
  const interleave = {
    async onEpochBegin() {
      const a = performance.now();
      await handEpoch();
      handMs.push(performance.now() - a);
      s0 = wg.stats();
      t0 = performance.now();
    },
    onEpochEnd() {
      fitMs.push(performance.now() - t0);
      const s = wg.stats();
      submits.push(s.submits - s0.submits);
      bytesRead.push(s.bytesRead - s0.bytesRead);
      liveBytesPerEpoch.push(wg.memory().liveBytes);
    },
  };
  await fitted.fit(x, y, { epochs: epochs + 1, batchSize: BATCH, verbose: 0, callbacks: [interleave] });
  const hand = median(handMs.slice(1)) / batches;
  const fit = median(fitMs.slice(1)) / batches;

  for (const t of [x, y, ...xs, ...ys]) t.dispose();
  return {
    backend,
    batches,
    handMsPerBatch: hand,
    fitMsPerBatch: fit,
    ratio: fit / hand,
    fitSubmitsPerEpoch: median(submits.slice(1)),
    fitBytesReadPerEpoch: median(bytesRead.slice(1)),
    liveBytesPerEpoch,
  };
}
