// Functions the generated elementwise code calls (src/ops/elementwise-table.ts). Each is
// written to stay finite where a naive formula overflows; non-finite results are produced
// deliberately, because WGSL lets a compiler assume no NaN or Inf arise by accident.

// Private variables, not constants: a constant expression that evaluates to Inf or NaN is a
// shader-creation error, so these bit patterns must be read at run time.
var<private> wg_inf_bits: u32 = 0x7f800000u;
var<private> wg_nan_bits: u32 = 0x7fc00000u;
fn wg_inf() -> f32 { return bitcast<f32>(wg_inf_bits); }
fn wg_nan() -> f32 { return bitcast<f32>(wg_nan_bits); }

// Constants of generated code pass through these (src/ops/elementwise-table.ts wgslLiteral): a
// function call is not a constant expression, so WGSL evaluates `0.0 / 0.0` at run time (NaN)
// instead of rejecting the shader.
fn wg_f(x: f32) -> f32 { return x; }
fn wg_i(x: i32) -> i32 { return x; }

// By bits, so no compiler assumption about NaN can fold the test away.
fn wg_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }

// float → int32 as the CPU backend does it: NaN → 0, saturating outside the int32 range.
fn wg_f32_to_i32(x: f32) -> i32 {
  if (wg_isnan(x)) { return 0i; }
  if (x >= 2147483648.0) { return 2147483647i; }
  return i32(max(x, -2147483648.0));
}
// WGSL's max and min return the other operand for a NaN; PyTorch propagates the NaN.
fn wg_max(a: f32, b: f32) -> f32 { return select(max(a, b), wg_nan(), wg_isnan(a) || wg_isnan(b)); }
fn wg_min(a: f32, b: f32) -> f32 { return select(min(a, b), wg_nan(), wg_isnan(a) || wg_isnan(b)); }

// Some implementations (SwiftShader) give exp(NaN) = +Inf.
fn wg_exp(x: f32) -> f32 { return select(exp(x), x, wg_isnan(x)); }

fn wg_log(x: f32) -> f32 {
  if (x < 0.0) { return wg_nan(); }
  if (x == 0.0) { return -wg_inf(); }
  return log(x);
}

fn wg_sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

fn wg_softplus(x: f32) -> f32 {
  return max(x, 0.0) + log(1.0 + exp(-abs(x)));
}

// Abramowitz & Stegun 7.1.26, |error| < 1.5e-7.
fn wg_erf(x: f32) -> f32 {
  let a = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let y = 1.0 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-a * a);
  return sign(x) * y;
}

fn wg_gelu(x: f32) -> f32 {
  return 0.5 * x * (1.0 + wg_erf(x * 0.70710678118654752));
}

fn wg_gelu_tanh(x: f32) -> f32 {
  let u = 0.7978845608028654 * (x + 0.044715 * x * x * x);
  return 0.5 * x * (1.0 + tanh(clamp(u, -15.0, 15.0)));
}

// pow with the real-valued semantics of PyTorch: negative bases with integral exponents.
fn wg_pow(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (a == 0.0) { return select(0.0, wg_inf(), b < 0.0); }
  let m = exp2(b * log2(abs(a)));
  if (a > 0.0) { return m; }
  if (b != floor(b)) { return wg_nan(); }
  let odd = (abs(b) % 2.0) == 1.0;
  return select(m, -m, odd);
}
