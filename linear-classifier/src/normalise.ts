/**
 * Min-max normalisation: each attribute scaled to [0, 1] by the smallest and largest value it has
 * in the training data, so that no attribute outweighs another just by its unit. The model keeps
 * the ranges and scales new rows the same way.
 */
import { DataError, type Dataset } from './csv.ts';

/** Min-max normalises one value: (v - min) / (max - min), or 0 for a constant attribute (never NaN). */
export function normalise(v: number, min: number, max: number): number {
  return max === min ? 0 : (v - min) / (max - min);
}

/**
 * The per-attribute minimum and maximum of a data set.
 * @throws DataError when max - min of an attribute overflows: such values cannot be normalised.
 */
export function ranges(data: Dataset): { min: Float64Array; max: Float64Array } {
  const { rows, cols, x } = data;
  const min = new Float64Array(cols).fill(Infinity);
  const max = new Float64Array(cols).fill(-Infinity);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = x[r * cols + c]!;
      if (v < min[c]!) min[c] = v;
      if (v > max[c]!) max[c] = v;
    }
  }
  min.forEach((lo, c) => {
    if (max[c]! - lo === Infinity) {
      throw new DataError(
        data.source,
        `the values range from ${lo} to ${max[c]}: max - min overflows to Infinity, so they cannot be scaled to [0, 1]; scale this column down`,
        undefined,
        c + 1,
      );
    }
  });
  return { min, max };
}

/**
 * The rows of a data set in the given order, normalised, as one flat row-major array X (`cols`
 * values per row) and their classes Y: what an epoch streams through.
 */
export function normalisedRows(
  data: Dataset,
  order: ArrayLike<number>,
  min: Float64Array,
  max: Float64Array,
): { X: Float64Array; Y: Uint8Array } {
  const { rows, cols } = data;
  const X = new Float64Array(rows * cols);
  const Y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const i = order[r]!;
    for (let c = 0; c < cols; c++) X[r * cols + c] = normalise(data.x[i * cols + c]!, min[c]!, max[c]!);
    Y[r] = data.y[i]!;
  }
  return { X, Y };
}
