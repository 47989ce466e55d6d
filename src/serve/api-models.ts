import type { ObjectStore } from '../store/object-store.js';
import { loadArtifact, type ArtifactMeta } from '../model/artifact.js';
import { readEvaluation, readExplanation, readForecast, ResultFileError, type StoredEvaluation } from '../pipeline/results-store.js';
import { ApiError, notYet } from './api-error.js';

/** What the model store holds for one model, from one listing. */
export interface ModelFiles {
  modelId: string;
  hasArtifact: boolean;
  hasPredictions: boolean;
  hasEvaluation: boolean;
  explanations: string[];
  /** As-of dates of stored forecasts, oldest first. */
  forecasts: string[];
}

/** Groups the model store's keys by model (one listing, so the models page costs one LIST on S3). */
export async function modelFiles(models: ObjectStore): Promise<ModelFiles[]> {
  const byId = new Map<string, ModelFiles>();
  const entry = (id: string) => {
    let m = byId.get(id);
    if (!m) byId.set(id, (m = { modelId: id, hasArtifact: false, hasPredictions: false, hasEvaluation: false, explanations: [], forecasts: [] }));
    return m;
  };
  for (const key of await models.list('')) {
    const m = /^([^/]+)\/output\/(.+)$/.exec(key);
    if (!m) continue;
    const [, id, rest] = m as unknown as [string, string, string];
    if (rest === 'model.tar.gz') entry(id).hasArtifact = true;
    else if (rest === 'predictions.parquet') entry(id).hasPredictions = true;
    else if (rest === 'evaluation.json') entry(id).hasEvaluation = true;
    else if (/^explanation-(train|val|test)\.json$/.test(rest)) entry(id).explanations.push(rest.slice(12, -5));
    else if (/^forecasts\/\d{4}-\d{2}-\d{2}\.json$/.test(rest)) entry(id).forecasts.push(rest.slice(10, 20));
  }
  for (const m of byId.values()) m.forecasts.sort();
  return [...byId.values()].sort((a, b) => a.modelId.localeCompare(b.modelId));
}

/** The headline test-range figures of an evaluation, beside the naive forecast. */
export function evaluationSummary(e: StoredEvaluation) {
  const q = e.forecastQuality;
  const best = e.runs[e.best];
  return {
    createdAt: e.createdAt,
    testRange: e.testRange,
    quantileLoss: q.quantileLoss,
    naiveQuantileLoss: q.naiveQuantileLoss,
    mae: q.mae,
    naiveMae: q.naiveMae,
    rankIc: q.rankIc.mean,
    ic: q.ic.mean,
    bandCoverage: q.bandCoverage,
    nominalCoverage: q.nominalCoverage,
    bestRun: best ? { params: best.params, totalReturn: best.totalReturn, sharpe: best.sharpe.annualised } : null,
    /** The baselines on the same rows (absent in evaluations made before baselines existed). */
    baselines: (e.baselines ?? []).map((b) => ({ name: b.name, quantileLoss: b.quantileLoss, mae: b.mae, rankIc: b.rankIc })),
    verdict: e.verdict ?? null,
    deflatedSharpe: e.deflatedSharpe?.dsr ?? null,
    buyAndHold: e.benchmarks[0] ? { label: e.benchmarks[0].label, totalReturn: e.benchmarks[0].totalReturn, sharpe: e.benchmarks[0].sharpe.annualised } : null,
  };
}

/** Training facts of an artifact, without weights or fitted dataset state. */
function trainingSummary(meta: ArtifactMeta) {
  const t = meta.training;
  return {
    createdAt: t.createdAt,
    dataRange: t.dataRange,
    epochs: t.epochs,
    bestEpoch: t.bestEpoch,
    bestValLoss: t.bestValLoss,
    naiveValLoss: t.naiveValLoss,
    stoppedBy: t.stoppedBy,
    backend: t.backend,
    stockcastVersion: t.stockcastVersion,
  };
}

/** Every model in the store: training figures, and test-range figures when evaluated. A broken file marks its model, not the list. */
export async function listModels(models: ObjectStore) {
  const out = [];
  for (const f of await modelFiles(models)) {
    const row: Record<string, unknown> = { ...f };
    if (f.hasArtifact) {
      try {
        row.training = trainingSummary((await loadArtifact(models, f.modelId)).meta);
      } catch (err) {
        row.error = `model artifact ${models.location}/${f.modelId}/output/model.tar.gz: ${(err as Error).message}`;
      }
    }
    if (f.hasEvaluation) {
      try {
        const e = await readEvaluation(models, f.modelId);
        row.evaluation = e ? evaluationSummary(e) : null;
      } catch (err) {
        row.evaluationError = (err as Error).message;
      }
    }
    out.push(row);
  }
  return { location: models.location, models: out };
}

/** One model: config, data range, per-epoch history, dataset setup, and what results exist for it. */
export async function modelDetail(models: ObjectStore, modelId: string) {
  const files = (await modelFiles(models)).find((m) => m.modelId === modelId);
  if (!files?.hasArtifact) throw notYet(`no trained model "${modelId}" in ${models.location}`, `stockcast train --model-id ${modelId}`);
  let meta: ArtifactMeta;
  try {
    meta = (await loadArtifact(models, modelId)).meta;
  } catch (err) {
    throw new ApiError(500, `model artifact ${models.location}/${modelId}/output/model.tar.gz cannot be read: ${(err as Error).message}`);
  }
  const d = meta.dataset;
  return {
    modelId,
    files,
    config: meta.training.config,
    hyperparameters: meta.hyperparameters,
    dataset: { target: d.target, targetColumn: d.targetColumn, features: d.features, quantiles: d.quantiles, encoderLength: d.encoderLength, decoderLength: d.decoderLength, trainStart: d.trainStart, trainEnd: d.trainEnd, valEnd: d.valEnd, testEnd: d.testEnd },
    training: { ...trainingSummary(meta), history: meta.training.history },
  };
}

/** The stored evaluation, or a 404 naming the command that makes it. */
export async function modelEvaluation(models: ObjectStore, modelId: string): Promise<StoredEvaluation> {
  const e = await readResult(() => readEvaluation(models, modelId));
  if (!e) throw notYet(`no evaluation of "${modelId}" yet`, `stockcast evaluate --model-id ${modelId}`);
  return e;
}

/** The stored explanation over a split, or a 404 naming the command that makes it. */
export async function modelExplanation(models: ObjectStore, modelId: string, split: string) {
  if (!['train', 'val', 'test'].includes(split)) throw new ApiError(400, `split: expected train, val or test, got ${JSON.stringify(split)}`);
  const e = await readResult(() => readExplanation(models, modelId, split));
  if (!e) throw notYet(`no explanation of "${modelId}" over the ${split} split yet`, `stockcast explain --model-id ${modelId} --split ${split}`);
  return e;
}

/** A stored forecast (the newest when `asOf` is undefined), or a 404 naming the command that makes it. */
export async function modelForecast(models: ObjectStore, modelId: string, asOf?: string) {
  const files = (await modelFiles(models)).find((m) => m.modelId === modelId);
  const dates = files?.forecasts ?? [];
  const day = asOf ?? dates.at(-1);
  const f = day ? await readResult(() => readForecast(models, modelId, day)) : null;
  if (!f) throw notYet(`no forecast of "${modelId}"${asOf ? ` as of ${asOf}` : ''} yet`, `stockcast forecast --model-id ${modelId}${asOf ? ` --as-of ${asOf}` : ''}`);
  return { ...f, available: dates };
}

/** Runs a result read, turning a broken file into a 500 that names it. */
async function readResult<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof ResultFileError) throw new ApiError(500, err.message, 're-run the command that writes it');
    throw err;
  }
}
