import type { z } from 'zod';
import type { ObjectStore } from '../store/object-store.js';
import type { Evaluation } from '../backtest/evaluation.js';
import type { GridRun } from '../backtest/grid.js';
import type { StrategySettings } from '../strategies/strategy-settings.js';
import { strategyKnob } from '../strategies/registry.js';
import type { Interpretation } from '../model/trained-model.js';
import type { ArtifactMeta } from '../model/artifact.js';
import type { Split } from '../dataset/time-series-dataset.js';
import type { Pick } from '../strategies/simple-x-days-ahead-buying.js';
import { rowsByTime, type PredictionTable } from '../core/prediction-table.js';
import { naiveQuantileLoss } from '../backtest/naive-baseline.js';
import { nextTradingDay } from '../core/nyse-calendar.js';
import {
  storedEvaluationSchema,
  storedExplanationSchema,
  storedForecastSchema,
  type StoredEvaluation,
  type StoredExplanation,
  type StoredForecast,
} from './result-shapes.js';

export type { StoredEvaluation, StoredExplanation, StoredForecast } from './result-shapes.js';

/** Where `evaluate` leaves its evaluation of a model. */
export const evaluationKey = (modelId: string): string => `${modelId}/output/evaluation.json`;
/** Where `explain` leaves its interpretation of a model over one split. */
export const explanationKey = (modelId: string, split: string): string => `${modelId}/output/explanation-${split}.json`;
/** Where `forecast` leaves the forecasts it made from data up to `asOf`. */
export const forecastKey = (modelId: string, asOf: string): string => `${modelId}/output/forecasts/${asOf}.json`;

/** A stored result that exists but cannot be used: names the file and what is wrong with it. */
export class ResultFileError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ResultFileError';
  }
}

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : '');

/** A run's parameters as stored: the grid's three axes (for VolatilityRanking the third is volatility_importance, kept under uncertaintyMultiplier too for older readers). */
export function storedRunParams(p: StrategySettings): { intervalDays: number; numStocksPurchased: number; uncertaintyMultiplier: number; volatilityImportance?: number } {
  const knob = strategyKnob(p);
  return { intervalDays: p.intervalDays, numStocksPurchased: p.numStocksPurchased, uncertaintyMultiplier: knob.value, ...(knob.key === 'volatilityImportance' ? { volatilityImportance: knob.value } : {}) };
}

/** One grid run as stored: figures after costs, the cost-free figures, and its equity curve. */
export function storedRun({ params, result: r, costFree }: GridRun) {
  return {
    params: storedRunParams(params),
    finalMoney: r.finalMoney,
    totalReturn: r.totalReturn,
    sharpe: { ...r.sharpe },
    maxDrawdown: r.maxDrawdown,
    trades: r.trades,
    turnover: r.turnover,
    costFree: { ...costFree },
    equity: { times: r.times.map(iso), values: r.equity },
  };
}

/** The evaluation document (the stored JSON, also what `evaluate --json` prints without equity curves). */
export function evaluationDocument(e: Evaluation & { restrictedTo?: { start: string; end: string; source: string } }, table: PredictionTable): StoredEvaluation {
  const times = rowsByTime(table).map((g) => g.time);
  const bestTimes = e.grid.runs[e.grid.best]!.result.times.map(iso);
  const { icByDay: _ignored, ...quality } = e.quality;
  return {
    format: 'stockcast-evaluation/1',
    modelId: e.modelId,
    createdAt: new Date().toISOString(),
    strategy: e.strategy,
    base: { ...e.base },
    testRange: { first: iso(times[0] ?? NaN), last: iso(times.at(-1) ?? NaN), symbols: new Set(table.symbols).size, decisions: times.length, ...(e.restrictedTo ? { restrictedTo: e.restrictedTo } : {}) },
    verdict: { ...e.verdict },
    runs: e.grid.runs.map(storedRun),
    best: e.grid.best,
    preferred: e.preferred,
    deflatedSharpe: e.grid.deflated,
    benchmarks: e.benchmarks.map(({ equity, sharpe, ...b }) => ({ ...b, sharpe: { ...sharpe }, equity: { times: bestTimes, values: equity } })),
    forecastQuality: {
      ...quality,
      naiveQuantileLoss: naiveQuantileLoss(table),
      icByDay: e.quality.icByDay.map((d) => ({ ...d, time: iso(d.time) })),
    },
    baselines: e.baselines.map((b) => ({
      name: b.name,
      quantileLoss: b.quality.quantileLoss,
      mae: b.quality.mae,
      bandCoverage: b.quality.bandCoverage,
      nominalCoverage: b.quality.nominalCoverage,
      ic: b.quality.ic.mean,
      rankIc: b.quality.rankIc.mean,
      calibration: b.quality.calibration.map((c) => ({ ...c })),
      dieboldMariano: { ...b.dm },
      bestRun: storedRun(b.grid.runs[b.grid.best]!),
      deflatedSharpe: b.grid.deflated && { ...b.grid.deflated },
    })),
  };
}

/** Writes the evaluation (every run's equity, benchmarks, forecast quality beside every baseline) as JSON. */
export async function saveEvaluation(models: ObjectStore, e: Evaluation & { restrictedTo?: { start: string; end: string; source: string } }, table: PredictionTable): Promise<string> {
  return putJson(models, evaluationKey(e.modelId), evaluationDocument(e, table));
}

/** Writes one `forecast` run: each symbol's current value and quantiles per step, and the strategy's buy list. */
export async function saveForecast(
  models: ObjectStore,
  f: { modelId: string; asOf: string; table: PredictionTable; meta: ArtifactMeta; params: StrategySettings; picks: Pick[] },
): Promise<string> {
  const { table: t } = f;
  const nQ = t.quantiles.length;
  const dates: string[] = [];
  for (let h = 0, d = f.asOf; h < t.horizon; h++) dates.push((d = nextTradingDay(d)));
  const doc: StoredForecast = {
    format: 'stockcast-forecast/1',
    modelId: f.modelId,
    createdAt: new Date().toISOString(),
    asOf: f.asOf,
    target: f.meta.dataset.target,
    targetColumn: f.meta.dataset.targetColumn,
    quantiles: t.quantiles,
    dates,
    symbols: t.symbols.map((symbol, r) => ({
      symbol,
      current: t.currentY[r]!,
      forecast: Array.from({ length: t.horizon }, (_, h) => Array.from(t.pred.subarray((r * t.horizon + h) * nQ, (r * t.horizon + h + 1) * nQ))),
    })),
    buyList: {
      strategy: f.params.name,
      params: { ...f.params },
      picks: f.picks.map((p) => ({ symbol: p.symbol, current: t.currentY[p.row]!, predictedChangePct: p.predictedChangePct, score: p.score })),
    },
  };
  return putJson(models, forecastKey(f.modelId, f.asOf), doc);
}

/** Writes `explain`'s importances and attention for one split. */
export async function saveExplanation(models: ObjectStore, modelId: string, split: Split, r: Interpretation): Promise<string> {
  const doc: StoredExplanation = { format: 'stockcast-explanation/1', modelId, createdAt: new Date().toISOString(), split, ...r };
  return putJson(models, explanationKey(modelId, split), doc);
}

/** The stored evaluation of a model, null when `evaluate` has not run; a broken file is a `ResultFileError`. */
export async function readEvaluation(models: ObjectStore, modelId: string): Promise<StoredEvaluation | null> {
  return readJson(models, evaluationKey(modelId), storedEvaluationSchema);
}

/** The stored explanation of a model over a split, or null. */
export async function readExplanation(models: ObjectStore, modelId: string, split: string): Promise<StoredExplanation | null> {
  return readJson(models, explanationKey(modelId, split), storedExplanationSchema);
}

/** The as-of dates of a model's stored forecasts, oldest first. */
export async function listForecasts(models: ObjectStore, modelId: string): Promise<string[]> {
  const prefix = `${modelId}/output/forecasts/`;
  return (await models.list(prefix)).map((k) => k.slice(prefix.length)).filter((k) => /^\d{4}-\d{2}-\d{2}\.json$/.test(k)).map((k) => k.slice(0, 10)).sort();
}

/** One stored forecast of a model, or null. */
export async function readForecast(models: ObjectStore, modelId: string, asOf: string): Promise<StoredForecast | null> {
  return readJson(models, forecastKey(modelId, asOf), storedForecastSchema);
}

/** Writes a result document: serialises with NaN and ±Infinity as null (JSON has neither), as one atomic object write. */
export async function putJson(models: ObjectStore, key: string, doc: unknown): Promise<string> {
  await models.put(key, `${JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1)}\n`);
  return key;
}

async function readJson<S extends z.ZodType>(models: ObjectStore, key: string, schema: S): Promise<z.infer<S> | null> {
  const bytes = await models.get(key);
  if (bytes === null) return null;
  const file = `${models.location}/${key}`;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new ResultFileError(file, `not valid JSON (${(err as Error).message})`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new ResultFileError(file, `not a stockcast result of the expected shape: ${issues.join('; ')}`);
  }
  return parsed.data;
}
