// Template of every generated kernel: elementwise ops (several elements or vec4s an invocation in big
// kernels), views folded into index arithmetic, at most one reduction (a loop per thread, or a
// workgroup tree). src/graph/codegen.ts fills the marked slots; nothing else writes fused WGSL.

//!PRELUDE

//!BINDINGS

//!SHARED

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  //!INDEX
  //!BODY
}
