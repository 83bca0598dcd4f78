// Philox 4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"), the counter-based
// generator of the random rows; src/ops/philox.ts is the same code for the CPU backend, bit for bit.
// Element `index` of a draw with key `seed` and stream `stream` is philox(key (seed, 0), counter (index, stream, 0, 0)).

// The high and low words of a * b, from 16-bit halves (WGSL has no 64-bit integers).
fn wg_mulhilo(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let mid = ((a0 * b0) >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return vec2<u32>(a1 * b1 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u), a * b);
}

fn wg_philox(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = ctr;
  var k = key;
  for (var round = 0; round < 10; round++) {
    let p0 = wg_mulhilo(0xD2511F53u, c.x);
    let p1 = wg_mulhilo(0xCD9E8D57u, c.z);
    c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k += vec2<u32>(0x9E3779B9u, 0xBB67AE85u);
  }
  return c;
}

fn wg_random_bits(seed: i32, stream: i32, index: u32) -> vec4<u32> {
  return wg_philox(vec4<u32>(index, bitcast<u32>(stream), 0u, 0u), vec2<u32>(bitcast<u32>(seed), 0u));
}

// The top 24 bits as a float in [0, 1): every value is exact, so both backends agree bit for bit.
fn wg_unit(bits: u32) -> f32 {
  return f32(bits >> 8u) * 5.9604644775390625e-8;
}

fn wg_random_uniform(seed: i32, stream: i32, index: u32) -> f32 {
  return wg_unit(wg_random_bits(seed, stream, index).x);
}

// Box–Muller from the first two words: u1 in (0, 1] keeps the logarithm finite; the angle stays
// in [-π, π), where WGSL's cos is accurate.
fn wg_random_normal(seed: i32, stream: i32, index: u32) -> f32 {
  let w = wg_random_bits(seed, stream, index);
  let u1 = wg_unit(w.x) + 5.9604644775390625e-8;
  let r = sqrt(-2.0 * log(u1));
  return r * cos(6.2831853071795865 * (wg_unit(w.y) - 0.5));
}

// An integer in [0, range) (range read as u32): the first word modulo range, exact.
fn wg_random_below(seed: i32, stream: i32, range: i32, index: u32) -> i32 {
  return bitcast<i32>(wg_random_bits(seed, stream, index).x % bitcast<u32>(range));
}
