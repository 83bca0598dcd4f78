// Activations by Keras name, for the `activation` option of layers. 'softmax' normalizes the
// last axis; 'linear' is the identity.

import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';

export type ActivationName = 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'leakyRelu' | 'elu' | 'selu' | 'gelu' | 'softplus' | 'swish' | 'linear';

const ACTIVATIONS: Readonly<Record<ActivationName, (x: Tensor) => Tensor>> = {
  relu: (x) => x.relu(),
  sigmoid: (x) => x.sigmoid(),
  tanh: (x) => x.tanh(),
  softmax: (x) => x.softmax(-1),
  leakyRelu: (x) => x.leakyRelu(),
  elu: (x) => x.elu(),
  selu: (x) => x.selu(),
  gelu: (x) => x.gelu(),
  softplus: (x) => x.softplus(),
  swish: (x) => x.swish(),
  linear: (x) => x,
};

/** The function an activation name stands for; throws ArgumentError naming the choices. */
export function getActivation(name: ActivationName | undefined, op: string): (x: Tensor) => Tensor {
  const f = ACTIVATIONS[name ?? 'linear'];
  if (!f) throw new ArgumentError(`${op}: unknown activation '${String(name)}' (expected one of ${Object.keys(ACTIVATIONS).join(', ')})`);
  return f;
}
