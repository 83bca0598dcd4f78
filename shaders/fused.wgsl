// Template of every generated kernel: a chain of elementwise ops, views folded into index
// arithmetic, and at most one reduction (a loop per thread, or a workgroup tree reduction).
// src/graph/codegen.ts fills the marked slot lines; nothing else writes WGSL for fused kernels.

//!PRELUDE

//!BINDINGS

//!SHARED

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  //!INDEX
  //!BODY
}
