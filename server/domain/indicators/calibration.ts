/**
 * The calibration projection of raked weights, built from the cell design the weighting service already computes
 * (domain/weighting/tally.ts) instead of from one model row per respondent: respondents in a margin cell share
 * their weight and their row of the calibration model, so the least-squares fit needs only per-cell sums. The
 * residuals are those of linearization.ts `calibrationProjection` with design weights 1 (R's calibrate with
 * calfun = "raking"), which the unit test holds them to; the indicator engine uses them for standard errors that
 * account for the raking.
 */
import { choleskySolve, type Projection } from '../weighting/linearization.js';
import type { CellDesign } from '../weighting/tally.js';

export function designProjection(design: Pick<CellDesign, 'n' | 'cellOf' | 'weights' | 'rowCols' | 'stride' | 'columns' | 'chol'>): Projection {
  const { n, cellOf, weights, rowCols, stride, columns, chol } = design;
  const cells = weights.length;
  return {
    residualize(x) {
      const z = new Float64Array(n);
      const perCell = new Float64Array(cells);
      for (let i = 0; i < n; i += 1) {
        const c = cellOf[i] as number;
        const w = weights[c] as number;
        z[i] = w > 0 ? (x[i] as number) / w : 0;
        perCell[c] = (perCell[c] as number) + (z[i] as number);
      }
      // X'z: each cell adds its sum of z to the model columns of its row (the padding slot `columns` is no column).
      const xtz = new Float64Array(columns);
      for (let c = 0; c < cells; c += 1) {
        for (let j = c * stride; j < (c + 1) * stride; j += 1) {
          const a = rowCols[j] as number;
          if (a < columns) xtz[a] = (xtz[a] as number) + (perCell[c] as number);
        }
      }
      const beta = choleskySolve(chol, columns, xtz);
      const fitted = new Float64Array(cells);
      for (let c = 0; c < cells; c += 1) {
        let f = 0;
        for (let j = c * stride; j < (c + 1) * stride; j += 1) {
          const a = rowCols[j] as number;
          if (a < columns) f += beta[a] as number;
        }
        fitted[c] = f;
      }
      const out = new Float64Array(n);
      for (let i = 0; i < n; i += 1) {
        const c = cellOf[i] as number;
        out[i] = ((z[i] as number) - (fitted[c] as number)) * (weights[c] as number);
      }
      return out;
    },
  };
}
