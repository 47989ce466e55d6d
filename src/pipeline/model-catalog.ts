import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObjectStore } from '../store/object-store.js';
import { artifactKey, listVersionNames, readArtifactContents, versionKey, versionTime } from '../model/artifact.js';
import { readEvaluation } from './results-store.js';

/** One artifact as `stockcast models` reports it (the current one or a kept version); null where unknown. */
export interface ArtifactSummary {
  key: string;
  bytes: number;
  sha256: string;
  /** `stockcast-tft/1`, `foreign` or `unreadable` (or another format string found in a model.json). */
  format: string;
  /** Why stockcast cannot load it; null when it can. */
  problem: string | null;
  configId: string | null;
  /** `open`, `close`, `log_return_open`, `log_return_close`. */
  target: string | null;
  createdAt: string | null;
  dataRange: { first: string; last: string; symbols: number } | null;
  epochs: number | null;
  bestValLoss: number | null;
  naiveValLoss: number | null;
}

/** A kept earlier artifact. */
export interface VersionSummary extends ArtifactSummary {
  version: string;
  /** When it was replaced (from the version's name). */
  archivedAt: string | null;
}

/** One model of the model store. */
export interface ModelSummary {
  modelId: string;
  /** `<id>/output/model.tar.gz`; null when only versions remain. */
  artifact: ArtifactSummary | null;
  /** The test-range forecast quality of `stockcast evaluate` (in prices), beside the naive last-value forecast's. */
  evaluation: { createdAt: string; testRange: { first: string; last: string }; quantileLoss: number | null; naiveQuantileLoss: number | null } | null;
  evaluationError: string | null;
  /** Oldest first. */
  versions: VersionSummary[];
}

/** The ids of every model with an artifact or a kept version, from one listing of the store. */
export async function modelIds(models: ObjectStore): Promise<string[]> {
  const ids = new Set<string>();
  for (const key of await models.list('')) {
    const m = /^([^/]+)\/(?:output|versions\/[^/]+)\/model\.tar\.gz$/.exec(key);
    if (m) ids.add(m[1]!);
  }
  return [...ids].sort();
}

/** Every model of the store with its versions; a foreign or damaged artifact is reported, never thrown. */
export async function listModelCatalog(models: ObjectStore): Promise<{ location: string; models: ModelSummary[] }> {
  const out: ModelSummary[] = [];
  for (const id of await modelIds(models)) out.push(await describeModel(models, id));
  return { location: models.location, models: out };
}

/** One model: its artifact, evaluation and versions; an unknown id is an error listing the known ones. */
export async function describeModel(models: ObjectStore, modelId: string): Promise<ModelSummary> {
  const versions = await listVersionNames(models, modelId);
  const artifact = await summarize(models, artifactKey(modelId));
  if (!artifact && versions.length === 0) {
    const known = await modelIds(models);
    throw new Error(`no model "${modelId}" in ${models.location}${known.length ? `: the store holds ${known.join(', ')}` : ': the store holds no models yet (run `stockcast train`)'}`);
  }
  const summaries: VersionSummary[] = [];
  for (const version of versions) {
    const s = await summarize(models, versionKey(modelId, version));
    if (s) summaries.push({ ...s, version, archivedAt: versionTime(version) });
  }
  let evaluation: ModelSummary['evaluation'] = null;
  let evaluationError: string | null = null;
  try {
    const e = await readEvaluation(models, modelId);
    if (e) evaluation = { createdAt: e.createdAt, testRange: { first: e.testRange.first, last: e.testRange.last }, quantileLoss: e.forecastQuality.quantileLoss, naiveQuantileLoss: e.forecastQuality.naiveQuantileLoss };
  } catch (err) {
    evaluationError = (err as Error).message;
  }
  return { modelId, artifact, evaluation, evaluationError, versions: summaries };
}

/** Reads one artifact's facts without trusting it; null when the key does not exist. */
async function summarize(models: ObjectStore, key: string): Promise<ArtifactSummary | null> {
  const dir = await mkdtemp(join(tmpdir(), 'stockcast-models-'));
  try {
    const file = join(dir, 'model.tar.gz');
    if (!(await models.getFile(key, file))) return null;
    const c = await readArtifactContents(file);
    const meta = c.meta as { dataset?: { target?: unknown }; training?: Record<string, unknown> } | null;
    const t = meta?.training ?? {};
    const config = t.config as { id?: unknown } | undefined;
    const range = t.dataRange as ArtifactSummary['dataRange'] | undefined;
    return {
      key,
      bytes: c.bytes,
      sha256: c.sha256,
      format: c.format,
      problem: c.problem,
      configId: typeof config?.id === 'string' ? config.id : null,
      target: typeof meta?.dataset?.target === 'string' ? meta.dataset.target : null,
      createdAt: typeof t.createdAt === 'string' ? t.createdAt : null,
      dataRange: range && typeof range.first === 'string' ? range : null,
      epochs: numberOrNull(t.epochs),
      bestValLoss: numberOrNull(t.bestValLoss),
      naiveValLoss: numberOrNull(t.naiveValLoss),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
