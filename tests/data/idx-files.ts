// Writes IDX files for the data tests from the format description (independent of src/data):
// magic 0 0 type rank, big-endian u32 dimensions, big-endian values.

export const IDX_TYPES = { ubyte: [0x08, 1], sbyte: [0x09, 1], short: [0x0b, 2], int: [0x0c, 4], float: [0x0d, 4], double: [0x0e, 8] } as const;
export type IdxTypeName = keyof typeof IDX_TYPES;

export function idxFile(type: IdxTypeName, shape: readonly number[], values: readonly number[]): Uint8Array {
  const [code, width] = IDX_TYPES[type];
  const out = new Uint8Array(4 + 4 * shape.length + values.length * width);
  const v = new DataView(out.buffer);
  out.set([0, 0, code, shape.length]);
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d));
  const at = 4 + 4 * shape.length;
  values.forEach((x, i) => {
    const o = at + i * width;
    if (type === 'ubyte') v.setUint8(o, x);
    else if (type === 'sbyte') v.setInt8(o, x);
    else if (type === 'short') v.setInt16(o, x);
    else if (type === 'int') v.setInt32(o, x);
    else if (type === 'float') v.setFloat32(o, x);
    else v.setFloat64(o, x);
  });
  return out;
}
