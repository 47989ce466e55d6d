import type { FeatureStore } from '../store/feature-store.js';
import type { EarningsSource } from '../sources/earnings-source.js';
import type { ScheduledValues } from '../dataset/time-series-dataset.js';
import { nyDate, nyMidnightUtc } from '../core/ny-time.js';

/** What the schedule of a live forecast's decoder days is read from. */
export interface ScheduleOptions {
  /** The scheduled inputs of the model (TimeSeriesDataset.scheduledInputs): today only is_earnings_day. */
  names: string[];
  symbols: string[];
  /** The decoder's trading dates, in order. */
  dates: string[];
  features: FeatureStore;
  /** The earnings calendar for dates the store does not hold yet; without one, such dates are an error. */
  earnings?: () => Promise<EarningsSource>;
  /** Names the model in errors. */
  modelId: string;
}

/**
 * The scheduled inputs of each symbol on the decoder dates, exactly as training saw them: the stored rows where
 * the feature store already holds those dates (a back-dated forecast), and otherwise the earnings calendar's
 * scheduled report dates (Nasdaq, or the synthetic market's) — 1 on a scheduled report day, 0 on the others.
 * No calendar, or a calendar that failed for a date, is an error: a silent 0 would be train/serve skew.
 */
export async function scheduledValues(o: ScheduleOptions): Promise<ScheduledValues> {
  const out: ScheduledValues = new Map();
  for (const name of o.names) {
    if (name !== 'is_earnings_day') throw new Error(`no schedule is known for the model input ${name}`);
    const values = new Map(o.symbols.map((s) => [s, new Float64Array(o.dates.length).fill(NaN)]));
    await fillFromStore(o, name, values);
    const missing = o.symbols.filter((s) => values.get(s)!.some(Number.isNaN));
    if (missing.length > 0) await fillFromCalendar(o, missing, values);
    out.set(name, values);
  }
  return out;
}

/** Copies the stored rows of the decoder dates (only read when some symbol's rows reach them). */
async function fillFromStore(o: ScheduleOptions, name: string, values: Map<string, Float64Array>): Promise<void> {
  const cov = await o.features.coverage(name, '1Day');
  if (!cov.some((c) => c.lastDate >= o.dates[0]!)) return;
  const frame = await o.features.queryWide({ features: [name], timeFrame: '1Day', symbols: o.symbols, startDate: o.dates[0], endDate: o.dates.at(-1) });
  const col = frame.columns.get(name)!;
  for (let r = 0; r < frame.length; r++) {
    const h = o.dates.indexOf(nyDate(new Date(frame.timestamps[r]!)));
    const v = col[r]!;
    if (h >= 0 && Number.isFinite(v)) values.get(frame.symbols[frame.symbolIndex[r]!]!)![h] = v;
  }
}

/** Fills the dates the store lacks from the earnings calendar's scheduled report dates. */
async function fillFromCalendar(o: ScheduleOptions, symbols: string[], values: Map<string, Float64Array>): Promise<void> {
  const wanted = o.dates.filter((_, h) => symbols.some((s) => Number.isNaN(values.get(s)![h]!)));
  if (!o.earnings) {
    throw new Error(
      `model ${o.modelId} uses is_earnings_day, and the feature store has no rows for ${wanted.join(', ')} (the days it forecasts): ` +
        'training saw the real report days there, so the earnings calendar must give them (forecast --earnings-source nasdaq|synthetic)',
    );
  }
  const source = await o.earnings();
  const res = await source.fetchEarnings(symbols, nyMidnightUtc(wanted[0]!), nyMidnightUtc(wanted.at(-1)!));
  if (res.failures.length > 0) {
    const what = res.failures.map((f) => `${f.symbol} (${f.reason})`).join('; ');
    throw new Error(`the ${source.name} earnings calendar failed for ${what}: not forecasting ${o.modelId} with unknown earnings days`);
  }
  const reports = new Set(res.events.map((e) => `${e.symbol}|${e.date}`));
  for (const s of symbols) {
    const v = values.get(s)!;
    o.dates.forEach((d, h) => {
      if (Number.isNaN(v[h]!)) v[h] = reports.has(`${s}|${d}`) ? 1 : 0;
    });
  }
}

/**
 * The earnings calendar a live forecast reads its decoder days from: the source the store recorded as having
 * written is_earnings_day (the one most symbols came from), else nasdaq; so a synthetic store keeps synthetic
 * earnings and a real one real earnings.
 */
export async function recordedEarningsSource(features: FeatureStore, timeFrame: string, open: (name: string) => Promise<EarningsSource>): Promise<EarningsSource> {
  const bySymbol = (await features.recordedSources(['is_earnings_day'], timeFrame)).get('is_earnings_day') ?? new Map<string, string>();
  const counts = new Map<string, number>();
  for (const source of bySymbol.values()) counts.set(source, (counts.get(source) ?? 0) + 1);
  const [name] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? ['nasdaq'];
  return open(name);
}
