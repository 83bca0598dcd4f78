// AssemblyScript (compiled to WebAssembly with 128-bit SIMD by scripts/build-wasm.mjs): the entry
// of the CPU backend's fast kernels — matmul and conv as GEMMs over packed panels (gemm.ts,
// conv.ts), direct grouped conv (grouped-conv.ts), pooling (pool.ts) and softmax rows
// (softmax.ts); every export here is a wasm export.

export { matmulPack, matmulPackedBytes, matmulPanels, matmulRowPanels, matmulThreadBytes } from './gemm';
export { convBlocks, convForwardBlocks, convInputGradBlocks, convPackedBytes, convPackForward, convPackInputGrad, convThreadBytes, convWeightGradSlabs, setConv } from './conv';
export { groupedExpand, groupedForward, groupedInputGrad, groupedThreadBytes, groupedWeightGrad } from './grouped-conv';
export { avgPool, avgPoolGrad, maxPool, maxPoolGrad, setPool } from './pool';
export { crossEntropyGradRows, crossEntropyRows, softmaxRows, softmaxThreadBytes } from './softmax';

/** First free byte past the module's static data: the JS side allocates from here. */
export function heapBase(): usize {
  return __heap_base;
}
