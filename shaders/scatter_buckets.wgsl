// The first pass of scatter-add (src/ops/scatter.ts): sorts the index positions j by the bucket
// of BUCKET_ROWS consecutive rows their index falls in, j increasing inside a bucket, in one
// workgroup. Thread t owns the t-th of 64 consecutive chunks of positions: it counts its chunk's
// indices per bucket, the counts become offsets (bucket-major, chunk order inside a bucket),
// then it places its chunk at those offsets. out = [start of bucket 0…63, total, the positions j
// bucket by bucket, then scratch: 64 × 64 counts and 64 bucket sizes]. The scratch is in the
// storage buffer, not workgroup memory: SwiftShader's compile time grows with workgroup arrays
// (4 s for these 16 KiB). Indices outside [0, AXIS) fall in no bucket.

override COUNT: u32;
override AXIS: u32;
override BUCKET_ROWS: u32;

@group(0) @binding(0) var<storage, read> indices: array<i32>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;

fn bucket_of(a: i32) -> u32 {
  if (a < 0 || u32(a) >= AXIS) { return 64u; }
  return u32(a) / BUCKET_ROWS;
}

/** Where counts[chunk][bucket] lives: how many of the chunk's indices fall in the bucket, then
 *  where the chunk's next one in that bucket goes. */
fn counts(chunk: u32, bucket: u32) -> u32 {
  return 65u + COUNT + chunk * 64u + bucket;
}

fn sizes(bucket: u32) -> u32 {
  return 65u + COUNT + 4096u + bucket;
}

fn sync() {
  storageBarrier();
  workgroupBarrier();
}

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) lid: vec3u) {
  let t = lid.x;
  let chunk = (COUNT + 63u) / 64u;
  let lo = min(t * chunk, COUNT);
  let hi = min(lo + chunk, COUNT);
  for (var b = 0u; b < 64u; b++) { out[counts(t, b)] = 0; }
  for (var j = lo; j < hi; j++) {
    let b = bucket_of(indices[j]);
    if (b < 64u) { out[counts(t, b)] += 1; }
  }
  sync();
  // Thread t now stands for bucket t: the offset of each chunk inside it, and its size.
  var size = 0;
  for (var c = 0u; c < 64u; c++) {
    let n = out[counts(c, t)];
    out[counts(c, t)] = size;
    size += n;
  }
  out[sizes(t)] = size;
  sync();
  var start = 0;
  for (var b = 0u; b < t; b++) { start += out[sizes(b)]; }
  for (var c = 0u; c < 64u; c++) { out[counts(c, t)] += start; }
  out[t] = start;
  if (t == 63u) { out[64] = start + size; }
  sync();
  for (var j = lo; j < hi; j++) {
    let b = bucket_of(indices[j]);
    if (b < 64u) {
      out[65u + u32(out[counts(t, b)])] = i32(j);
      out[counts(t, b)] += 1;
    }
  }
}
