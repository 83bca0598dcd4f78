// Shared by the recurrent sequence kernels: their sizes (batch rows, time steps, units), the
// grid position of a workgroup's batch row and the gate nonlinearities (stable for large |x|:
// exp of a non-positive number only).
override B: u32;
override T: u32;
override H: u32;
override GRID_X: u32;

fn batch_row(wid: vec3u, grid_x: u32) -> u32 {
  return wid.y * grid_x + wid.x;
}
fn sigm(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}
fn tanh_stable(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}
