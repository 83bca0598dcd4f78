// Fisher–Yates shuffles of row indices on the host, from webgrad's seeded generator; the rows
// themselves are then gathered on the device.

/** Shuffles `rows` in place with uniform draws from `next` and returns it. */
export function shuffleInPlace(rows: Int32Array, next: () => number): Int32Array {
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = rows[i];
    rows[i] = rows[j];
    rows[j] = t;
  }
  return rows;
}
