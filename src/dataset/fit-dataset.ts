/** Fitting: encoders and scalers learn from the training split's rows only, and never change afterwards. */
import type { WideFrame } from '../core/wide-frame.js';
import { nyDate } from '../core/ny-time.js';
import { featureSpec, featuresWithRole } from '../core/feature-catalog.js';
import { fitCategorical, fitStandard } from './preprocessing.js';
import { LOG_RETURN_TARGET, type DatasetConfig, type DatasetState } from './dataset-types.js';
import { realInput } from './feature-values.js';

/** Fits the dataset state on the rows of a wide frame dated in [trainStart, trainEnd). */
export function fitDatasetState(frame: WideFrame, cfg: DatasetConfig): DatasetState {
  const targetColumn = cfg.target.replace('log_return_', '');
  const targetIsLogReturn = cfg.target.startsWith('log_return_');
  if (!frame.columns.has(targetColumn)) throw new Error(`the target ${targetColumn} is not in the data (features: ${[...frame.columns.keys()].join(', ')})`);
  for (const f of cfg.features) featureSpec(f);
  const missing = cfg.features.filter((f) => !frame.columns.has(f));
  if (missing.length) throw new Error(`the data has no column for feature(s) ${missing.join(', ')}: backfill them first`);
  const trainRows = trainingRows(frame, cfg);
  const values = function* (col: Float64Array) {
    for (const i of trainRows) yield col[i]!;
  };
  const categoricals = featuresWithRole(cfg.features, 'knownCategorical').map((name) => ({ name, encoder: fitCategorical(values(frame.columns.get(name)!)) }));
  // a price target is also an input: its own history, normalized per window like the target (so no scaler)
  const realNames = featuresWithRole(targetIsLogReturn ? cfg.features : [...cfg.features, targetColumn], 'unknownReal');
  const reals: DatasetState['reals'] = realNames.map((name) => ({
    name,
    scaler: !targetIsLogReturn && name === targetColumn ? null : fitStandard(values(realInput(name, frame.columns.get(name)!))),
  }));
  if (targetIsLogReturn) reals.push({ name: LOG_RETURN_TARGET, scaler: null });
  return { ...cfg, version: 1, categoricals, reals, targetColumn, targetIsLogReturn };
}

function trainingRows(frame: WideFrame, cfg: DatasetConfig): number[] {
  const rows: number[] = [];
  for (let i = 0; i < frame.length; i++) {
    const d = nyDate(new Date(frame.timestamps[i]!));
    if (d >= cfg.trainStart && d < cfg.trainEnd) rows.push(i);
  }
  if (rows.length === 0) throw new Error(`no rows between train_start ${cfg.trainStart} and train_end ${cfg.trainEnd}`);
  return rows;
}
