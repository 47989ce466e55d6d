import { z } from 'zod';

/**
 * The JSON documents `evaluate`, `forecast` and `explain` leave in the model store beside the model (documented in
 * the README; the dashboard reads them). Numbers that are not defined (NaN) are stored as null. Objects accept
 * extra keys, so a later version can add fields without breaking older readers; a breaking change bumps `format`.
 */

const num = z.number().nullable();
const isoTime = z.string().min(1);
const series = z.looseObject({ times: z.array(isoTime), values: z.array(num) });
const sharpe = z.looseObject({ perPeriod: num, annualised: num, seedAnnualSharpe: num, pValue: num, periods: z.number() });
const icSummary = z.looseObject({ mean: num, std: num, icir: num, days: z.number() });

/** One strategy run: figures after costs (and `costFree` without them), and its equity curve. */
const run = z.looseObject({
  params: z.looseObject({ intervalDays: z.number(), numStocksPurchased: z.number(), uncertaintyMultiplier: z.number() }),
  finalMoney: num,
  totalReturn: num,
  sharpe,
  maxDrawdown: num,
  trades: z.number(),
  turnover: num,
  costFree: z.looseObject({ finalMoney: num, totalReturn: num, sharpe: num }).optional(),
  /** Equity after each holding period, starting with the starting money at the first decision time. */
  equity: series,
});

/** `<model_id>/output/evaluation.json`: the strategy grid, benchmarks and forecast quality on the test range. */
export const storedEvaluationSchema = z.looseObject({
  format: z.literal('stockcast-evaluation/1'),
  modelId: z.string(),
  createdAt: isoTime,
  strategy: z.string(),
  /** The base strategy parameters, costs included (transactionCostBps, slippageBps per side). */
  base: z.record(z.string(), z.unknown()),
  /** `restrictedTo`: the decision dates `_test_range` (or `--test-range`) kept, start inclusive, end exclusive. */
  testRange: z.looseObject({ first: isoTime, last: isoTime, symbols: z.number(), decisions: z.number(), restrictedTo: z.looseObject({ start: z.string(), end: z.string(), source: z.string() }).optional() }),
  /** Whether the model's test-range quantile loss beats each baseline's, with the sentence `evaluate` opens with (added in 0.2; absent before). */
  verdict: z.looseObject({ beatsAll: z.boolean(), beats: z.array(z.string()), doesNotBeat: z.array(z.string()), sentence: z.string() }).optional(),
  runs: z.array(run),
  /** Index of the run with the best annualised Sharpe (chosen on this very test range: see deflatedSharpe). */
  best: z.number().int(),
  /** Index of the config's preferred strategy run, when it is in the grid. */
  preferred: z.number().int().nullable(),
  deflatedSharpe: z.looseObject({ dsr: num, benchmark: num, trials: z.number() }).nullable(),
  /**
   * Buy and hold over the best run's dates (equal-weight universe, and SPY when present), after the same entry and
   * exit costs; `afterTax`: sold at the end and taxed at the strategy's rate; `costFree`: without costs.
   */
  benchmarks: z.array(
    z.looseObject({
      label: z.string(),
      finalMoney: num,
      totalReturn: num,
      sharpe,
      maxDrawdown: num,
      equity: series,
      afterTax: z.looseObject({ finalMoney: num, totalReturn: num, capitalGainsTax: z.number() }).optional(),
      costFree: z.looseObject({ finalMoney: num, totalReturn: num }).optional(),
    }),
  ),
  forecastQuality: z.looseObject({
    quantileLoss: num,
    naiveQuantileLoss: num,
    mae: num,
    naiveMae: num,
    bandCoverage: num,
    nominalCoverage: num,
    ic: icSummary,
    rankIc: icSummary,
    calibration: z.array(z.looseObject({ quantile: z.number(), observed: num })),
    icByDay: z.array(z.looseObject({ time: isoTime, ic: num, rankIc: num })),
  }),
  /**
   * Each baseline (naive, drift, seasonal-naive, moving-average) on the same rows: forecast quality, the
   * Diebold–Mariano test of the model against it (meanDiff < 0: the model's loss is lower) and its best run of the
   * same grid (absent in evaluations made before baselines existed).
   */
  baselines: z
    .array(
      z.looseObject({
        name: z.string(),
        quantileLoss: num,
        mae: num,
        bandCoverage: num,
        nominalCoverage: num,
        ic: num,
        rankIc: num,
        calibration: z.array(z.looseObject({ quantile: z.number(), observed: num })),
        dieboldMariano: z.looseObject({ meanDiff: num, statistic: num, pValue: num, days: z.number() }),
        bestRun: run,
        deflatedSharpe: z.looseObject({ dsr: num, benchmark: num, trials: z.number() }).nullable(),
      }),
    )
    .optional(),
});
export type StoredEvaluation = z.infer<typeof storedEvaluationSchema>;

/** `<model_id>/output/forecasts/<as-of>.json`: the latest-day forecasts and the buy list of one `forecast` run. */
export const storedForecastSchema = z.looseObject({
  format: z.literal('stockcast-forecast/1'),
  modelId: z.string(),
  createdAt: isoTime,
  /** The last date of data the forecast used (YYYY-MM-DD, New York). */
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** The model's target (`open`, `close`, `log_return_open`, …) and the stored feature it is derived from. */
  target: z.string(),
  targetColumn: z.string(),
  quantiles: z.array(z.number()),
  /** The trading dates of the forecast steps (one per horizon day). */
  dates: z.array(z.string()),
  symbols: z.array(
    z.looseObject({
      symbol: z.string(),
      /** The price (`targetColumn`) on the as-of date. */
      current: num,
      /** [horizon step][quantile], in prices of `targetColumn` (a log-return model's quantiles cumulated into prices). */
      forecast: z.array(z.array(num)),
    }),
  ),
  buyList: z.looseObject({
    strategy: z.string(),
    params: z.record(z.string(), z.unknown()),
    picks: z.array(z.looseObject({ symbol: z.string(), current: num, predictedChangePct: num, score: num })),
  }),
});
export type StoredForecast = z.infer<typeof storedForecastSchema>;

/** `<model_id>/output/explanation-<split>.json`: variable importances and attention over one split's windows. */
export const storedExplanationSchema = z.looseObject({
  format: z.literal('stockcast-explanation/1'),
  modelId: z.string(),
  createdAt: isoTime,
  split: z.enum(['train', 'val', 'test']),
  windows: z.number(),
  encoderImportance: z.record(z.string(), num),
  decoderImportance: z.record(z.string(), num),
  staticImportance: z.record(z.string(), num),
  /** Mean attention by position: negative = days before the forecast, 0… = the forecast steps. */
  attention: z.array(z.looseObject({ position: z.number(), weight: num })),
});
export type StoredExplanation = z.infer<typeof storedExplanationSchema>;
