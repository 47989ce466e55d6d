/**
 * Pure assembly of `bench compare`'s JSON: the reference harness's figures (measured in the same run and as
 * recorded in bench/REFERENCE.md), stockcast's, and the ratios stockcast ÷ reference, taking the reference at
 * its best (the higher throughput, the lower loss and memory, of today's run and the recorded one).
 */

/** The harness's JSON line (bench.py), as far as the comparison reads it; absent figures are null. */
export interface HarnessResult {
  config: string;
  mode: string;
  shortened?: boolean;
  params?: number | null;
  train_windows?: number | null;
  val_windows?: number | null;
  fetch_sps?: number | null;
  step_sps?: number | null;
  train_sps?: number | null;
  infer_sps?: number | null;
  forward_sps?: number | null;
  naive_val_loss?: number | null;
  val_loss?: number | null;
  epochs?: number | null;
  peak_rss_mb?: number | null;
  threads?: number;
  started_utc?: string;
  versions?: Record<string, unknown>;
}

/** The figures of REFERENCE.md's table for one config (pytorch-forecasting 0.10.3, torch 1.13, 2 threads). */
export interface RecordedReference {
  measuredOn: string;
  params: number;
  fetchSps: number;
  stepSps: number;
  trainSps: number;
  inferSps: number;
  forwardSps: number;
  budgetMinutes: number;
  epochsInBudget: number;
  valLossAfterBudget: number;
  naiveValLoss: number;
  peakRssMB: number;
}

/** REFERENCE.md, "Reference figures" (measured 2026-11-24 on a 2-core machine of the CI type). */
export const RECORDED_REFERENCE: Record<string, RecordedReference> = {
  small: { measuredOn: '2026-11-24', params: 6133, fetchSps: 2685, stepSps: 1726, trainSps: 1051, inferSps: 1846, forwardSps: 5192, budgetMinutes: 15, epochsInBudget: 2, valLossAfterBudget: 1.458, naiveValLoss: 1.09, peakRssMB: 1.7 * 1024 },
  favourite: { measuredOn: '2026-11-24', params: 65143, fetchSps: 2871, stepSps: 449, trainSps: 388, inferSps: 1268, forwardSps: 2296, budgetMinutes: 15, epochsInBudget: 1, valLossAfterBudget: 1.199, naiveValLoss: 1.09, peakRssMB: 3.9 * 1024 },
};

/** stockcast's figures for one config, from `bench tft --config <name>` (throughput run and/or budget run). */
export interface StockcastFigures {
  backend: string;
  threads: number;
  samplesPerEpoch: number;
  validationSamples: number;
  parameters: number;
  fetchSps: number | null;
  stepSps: number | null;
  trainSps: number | null;
  inferSps: number | null;
  forwardSps: number | null;
  peakRssMB: number | null;
  budget: { minutes: number; epochs: number; validationLoss: number | null; naiveValidationLoss: number; midEpochValidationLoss: number; trainSps: number | null; peakRssMB: number } | null;
}

/** The reference figure a ratio divides by, and where it came from. */
export interface UsedReference {
  value: number;
  source: 'measured' | 'recorded';
  measured: number | null;
  recorded: number | null;
}

/**
 * The reference at its best: the higher of today's and the recorded figure for a throughput (`higherIsBetter`),
 * the lower for a loss or memory. Null when neither exists.
 */
export function bestReference(measured: number | null | undefined, recorded: number | null | undefined, higherIsBetter: boolean): UsedReference | null {
  const m = finite(measured);
  const r = finite(recorded);
  if (m === null && r === null) return null;
  const takeRecorded = m === null || (r !== null && (higherIsBetter ? r > m : r < m));
  return { value: takeRecorded ? r! : m!, source: takeRecorded ? 'recorded' : 'measured', measured: m, recorded: r };
}

/** stockcast ÷ reference, two decimals; null when either side is missing. */
export function ratio(ours: number | null | undefined, ref: UsedReference | null): number | null {
  const o = finite(ours);
  if (o === null || ref === null || ref.value === 0) return null;
  return Math.round((o / ref.value) * 100) / 100;
}

/** Everything `assembleComparison` needs. */
export interface ComparisonInput {
  config: string;
  date: string;
  machine: Record<string, unknown>;
  budgetMinutes: number | null;
  reference: { throughput: HarnessResult | null; budget: HarnessResult | null };
  stockcast: StockcastFigures;
}

/** The one JSON object `bench compare` prints. */
export function assembleComparison(input: ComparisonInput): Record<string, unknown> {
  const rec = RECORDED_REFERENCE[input.config];
  if (!rec) throw new Error(`no recorded reference figures for config "${input.config}"`);
  const t = input.reference.throughput;
  const b = input.reference.budget;
  const s = input.stockcast;
  // the recorded loss was measured after 15 minutes: it only stands in for a run of the same budget
  const recordedBudget = input.budgetMinutes === rec.budgetMinutes;
  const used = {
    training: bestReference(t?.train_sps, rec.trainSps, true),
    inference: bestReference(t?.infer_sps, rec.inferSps, true),
    forward: bestReference(t?.forward_sps, rec.forwardSps, true),
    batchFetch: bestReference(t?.fetch_sps, rec.fetchSps, true),
    step: bestReference(t?.step_sps, rec.stepSps, true),
    peakRssMB: bestReference(t?.peak_rss_mb, rec.peakRssMB, false),
    validationLoss: s.budget ? bestReference(b?.val_loss, recordedBudget ? rec.valLossAfterBudget : null, false) : null,
  };
  return {
    bench: 'compare',
    config: input.config,
    date: input.date,
    machine: input.machine,
    shortened: Boolean(t?.shortened || b?.shortened),
    budgetMinutes: input.budgetMinutes,
    reference: {
      implementation: 'pytorch-forecasting 0.10.3 TemporalFusionTransformer, torch 1.13 CPU (../shared/bench/reference)',
      threads: t?.threads ?? b?.threads ?? null,
      throughput: t ? harnessFigures(t) : null,
      budget: b ? { ...harnessFigures(b), epochs: b.epochs ?? null, validationLoss: b.val_loss ?? null, naiveValidationLoss: b.naive_val_loss ?? null } : null,
      recorded: rec,
      used,
    },
    stockcast: s,
    ratios: {
      training: ratio(s.trainSps, used.training),
      inference: ratio(s.inferSps, used.inference),
      forward: ratio(s.forwardSps, used.forward),
      batchFetch: ratio(s.fetchSps, used.batchFetch),
      step: ratio(s.stepSps, used.step),
      peakRss: ratio(s.peakRssMB, used.peakRssMB),
      validationLoss: ratio(s.budget?.validationLoss, used.validationLoss),
    },
    // like for like: today's reference run alone, measured under the same load as stockcast's
    ratiosSameRun: {
      training: ratio(s.trainSps, bestReference(t?.train_sps, null, true)),
      inference: ratio(s.inferSps, bestReference(t?.infer_sps, null, true)),
      forward: ratio(s.forwardSps, bestReference(t?.forward_sps, null, true)),
      validationLoss: ratio(s.budget?.validationLoss, bestReference(b?.val_loss, null, false)),
    },
    targets: { training: 2, inference: 2, validationLoss: 1, peakRssMB: 4096, note: 'ratios are stockcast ÷ reference: throughput ≥ target, validation loss ≤ target, peak RSS below the limit' },
  };
}

function harnessFigures(h: HarnessResult): Record<string, number | null> {
  return {
    params: h.params ?? null,
    trainWindows: h.train_windows ?? null,
    validationWindows: h.val_windows ?? null,
    fetchSps: roundOrNull(h.fetch_sps),
    stepSps: roundOrNull(h.step_sps),
    trainSps: roundOrNull(h.train_sps),
    inferSps: roundOrNull(h.infer_sps),
    forwardSps: roundOrNull(h.forward_sps),
    peakRssMB: roundOrNull(h.peak_rss_mb),
  };
}

/** stockcast's figures for one config out of `bench tft` JSON (a throughput run, a budget run, or both). */
export function stockcastFigures(config: string, throughput: Record<string, unknown> | null, budget: Record<string, unknown> | null): StockcastFigures {
  const any = throughput ?? budget;
  if (!any) throw new Error('stockcastFigures: no bench tft output');
  const run = (throughput?.[config] ?? null) as { parameters: number; training?: Record<string, number>; inference?: Record<string, number>; forward?: Record<string, number> } | null;
  const bud = ((budget?.[config] as { budget?: Record<string, unknown> } | undefined)?.budget ?? null) as
    | { minutes: number; epochs: number; validationLoss: number | null; naiveValidationLoss: number; trainSps: number | null; midEpoch: { validationLoss: number } }
    | null;
  const cfg = (any[config] ?? {}) as { parameters?: number };
  return {
    backend: String(any.backend),
    threads: Number(any.threads),
    samplesPerEpoch: Number(any.samplesPerEpoch),
    validationSamples: Number(any.validationSamples),
    parameters: Number(cfg.parameters),
    fetchSps: run?.training?.fetchSps ?? null,
    stepSps: run?.training?.stepSps ?? null,
    trainSps: run?.training?.trainSps ?? null,
    inferSps: run?.inference?.inferSps ?? null,
    forwardSps: run?.forward?.forwardSps ?? null,
    peakRssMB: throughput ? Number(throughput.peakRssMB) : null,
    budget: bud && budget
      ? { minutes: bud.minutes, epochs: bud.epochs, validationLoss: bud.validationLoss, naiveValidationLoss: bud.naiveValidationLoss, midEpochValidationLoss: bud.midEpoch.validationLoss, trainSps: bud.trainSps, peakRssMB: Number(budget.peakRssMB) }
      : null,
  };
}

function finite(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

function roundOrNull(x: number | null | undefined): number | null {
  const v = finite(x);
  return v === null ? null : Math.round(v);
}
