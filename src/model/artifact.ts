import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { z } from 'zod';
import type { ObjectStore } from '../store/object-store.js';
import type { DatasetState } from '../dataset/dataset-types.js';
import type { ParamEntry } from './params.js';
import type { TftHyperparameters } from './tft.js';
import type { ModelConfig } from '../config/seed-config.js';
import { parseStoredConfig } from '../config/stored-config.js';
import { readArtifactFiles } from './artifact-file.js';
import { assertFiniteWeights, assertWeightsMatchManifest } from './finite-weights.js';
import { keepVersion, readArtifactContents, type ArtifactContents } from './artifact-versions.js';

// the kept versions and the reading of untrusted archives are part of the artifact's public face
export { listVersionNames, readArtifactContents, versionKey, versionTime, type ArtifactContents } from './artifact-versions.js';

/** What a model artifact holds besides the weights: enough to predict with nothing else. */
export interface ArtifactMeta {
  format: 'stockcast-tft/1';
  modelId: string;
  hyperparameters: TftHyperparameters;
  dataset: DatasetState;
  manifest: ParamEntry[];
  training: {
    config: Record<string, unknown>;
    dataRange: { first: string; last: string; symbols: number };
    epochs: number;
    bestEpoch: number;
    bestValLoss: number;
    naiveValLoss: number;
    stoppedBy: string;
    history: Array<{ epoch: number; trainLoss: number; valLoss: number; learningRate: number; seconds: number }>;
    backend: string;
    stockcastVersion: string;
    createdAt: string;
    seed: number;
  };
}

/** A model artifact in memory: its metadata and its weights in manifest order. */
export interface ModelArtifact {
  meta: ArtifactMeta;
  weights: Float32Array;
}

/** Where the seed keeps a model's artifact in its bucket. */
export function artifactKey(modelId: string): string {
  return `${modelId}/output/model.tar.gz`;
}

/** What saving an artifact did. */
export interface SavedArtifact {
  key: string;
  /** Where the artifact it replaced was kept (`<model_id>/versions/<timestamp>/model.tar.gz`); null when there was none. */
  previousVersion: string | null;
  /** The store already held this very model (same weights, dataset, config and history): nothing was written. */
  unchanged: boolean;
}

/**
 * Packs weights and metadata into `<model_id>/output/model.tar.gz` (one atomic object write). An artifact already
 * there is never lost: it is first copied to `<model_id>/versions/<timestamp>/model.tar.gz` (whatever its format,
 * the seed's SageMaker output included), then replaced, so the output key always holds a whole artifact. Saving
 * the very model the store holds (a re-run of a finished training) writes nothing.
 */
export async function saveArtifact(store: ObjectStore, meta: ArtifactMeta, weights: Float32Array, o: { now?: Date } = {}): Promise<SavedArtifact> {
  const dir = await mkdtemp(join(tmpdir(), 'stockcast-artifact-'));
  try {
    await mkdir(join(dir, 'new'));
    await writeFile(join(dir, 'new', 'model.json'), JSON.stringify(meta, null, 1));
    await writeFile(join(dir, 'new', 'weights.bin'), weightBytes(weights));
    const file = join(dir, 'model.tar.gz');
    await tar.c({ gzip: true, file, cwd: join(dir, 'new'), portable: true }, ['model.json', 'weights.bin']);
    const key = artifactKey(meta.modelId);
    const current = join(dir, 'current.tar.gz');
    let previousVersion: string | null = null;
    if (await store.getFile(key, current)) {
      const old = await readArtifactContents(current);
      if (sameModel(old, meta, weights)) return { key, previousVersion: null, unchanged: true };
      previousVersion = await keepVersion(store, meta.modelId, current, old.sha256, o.now ?? new Date());
    }
    await store.putFile(key, file);
    return { key, previousVersion, unchanged: false };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function weightBytes(weights: Float32Array): Buffer {
  return Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength);
}

/**
 * True when a stored artifact is this model: the same weights, architecture, dataset state, config and losses per
 * epoch — only when, where and how fast it was trained may differ (a re-run of a finished or deterministic training).
 */
function sameModel(old: ArtifactContents, meta: ArtifactMeta, weights: Float32Array): boolean {
  if (old.problem !== null || !old.meta || !old.weights || !old.weights.equals(weightBytes(weights))) return false;
  const substance = (m: unknown) => {
    const { training, ...rest } = JSON.parse(JSON.stringify(m)) as { training?: Record<string, unknown> };
    const { createdAt: _c, backend: _b, stockcastVersion: _v, history, ...kept } = training ?? {};
    const losses = Array.isArray(history) ? history.map((e: Record<string, unknown>) => ({ ...e, seconds: undefined })) : history;
    return JSON.stringify({ ...rest, training: { ...kept, history: losses } });
  };
  return substance(old.meta) === substance(meta);
}

/**
 * Loads a model artifact, in memory (no temp folder). A missing one is a readable error naming the model id and
 * location; a damaged one (truncated, not gzip, a failed checksum, a missing file, invalid JSON, weights of the
 * wrong length or not finite) an error naming the file and what is wrong with it.
 */
export async function loadArtifact(store: ObjectStore, modelId: string): Promise<ModelArtifact> {
  const bytes = await store.get(artifactKey(modelId));
  if (!bytes) {
    throw new Error(`no trained model "${modelId}" at ${store.location}/${artifactKey(modelId)}: run \`stockcast train --model-id ${modelId}\` first`);
  }
  const where = `model "${modelId}" (${store.location}/${artifactKey(modelId)})`;
  const { meta: raw, weights } = readArtifactFiles(bytes, where);
  const format = (raw as { format?: unknown } | null)?.format;
  if (format !== 'stockcast-tft/1') throw new Error(`${where} has an unknown artifact format ${String(format)}`);
  const meta = parseArtifactMeta(raw, where);
  assertWeightsMatchManifest(weights, meta.manifest, `${where} weights.bin`);
  assertFiniteWeights(weights, meta.manifest, `${where} weights.bin`);
  return { meta, weights };
}

// What inference reads from model.json is checked before use, so a damaged or foreign artifact is a clear error
// naming the key, not a crash deep in the model. The training record is only reported: its config is validated
// when used (trainedConfig); the rest passes as stored.

const count = z.number().int().min(0);
const positive = z.number().int().min(1);

const hyperparameters = z.object({
  hiddenSize: positive,
  attentionHeadSize: positive,
  dropout: z.number().min(0).lt(1),
  hiddenContinuousSize: positive,
  lstmLayers: positive,
});

const manifestEntry = z.object({ name: z.string(), shape: z.array(count), offset: count, size: count });

const datasetState = z.object({
  version: z.literal(1),
  features: z.array(z.string()),
  target: z.enum(['open', 'close', 'log_return_open', 'log_return_close']),
  encoderLength: positive,
  decoderLength: positive,
  quantiles: z.array(z.number()).min(1),
  trainStart: z.string(),
  trainEnd: z.string(),
  valEnd: z.string(),
  testEnd: z.string(),
  categoricals: z.array(z.object({ name: z.string(), encoder: z.object({ classes: z.array(z.number()) }) })),
  reals: z.array(z.object({ name: z.string(), scaler: z.object({ mean: z.number(), std: z.number() }).nullable() })),
  targetColumn: z.string(),
  targetIsLogReturn: z.boolean(),
});

const META = z.object({
  format: z.literal('stockcast-tft/1', { error: 'the artifact format stockcast-tft/1' }),
  modelId: z.string(),
  hyperparameters,
  dataset: datasetState,
  manifest: z.array(manifestEntry),
  training: z.looseObject({ config: z.record(z.string(), z.unknown()) }),
});

/** Validates a parsed model.json; `where` names the artifact in the error. */
function parseArtifactMeta(raw: unknown, where: string): ArtifactMeta {
  const r = META.safeParse(raw);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `key "${i.path.join('.') || '(root)'}": ${i.message}`);
    throw new Error(`${where} is not a valid stockcast model: ${problems.slice(0, 5).join('; ')}`);
  }
  // the training record beyond its config is reported, never computed with, so it is taken as stored
  return r.data as ArtifactMeta;
}

/**
 * The model config a model was trained with (its strategy, features and limits), as stored in its artifact,
 * validated: an invalid one is a ConfigError naming the artifact and the key.
 */
export function trainedConfig(meta: ArtifactMeta): ModelConfig {
  return parseStoredConfig(meta.training.config, `model artifact ${artifactKey(meta.modelId)}`, 'training.config');
}
