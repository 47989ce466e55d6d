import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import type { ObjectStore } from '../store/object-store.js';
import type { DatasetState } from '../dataset/dataset-types.js';
import type { ParamEntry } from './params.js';
import type { TftHyperparameters } from './tft.js';
import type { ModelConfig } from '../config/seed-config.js';

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

/** Where the seed keeps a model's artifact in its bucket. */
export function artifactKey(modelId: string): string {
  return `${modelId}/output/model.tar.gz`;
}

/** Packs weights and metadata into `<model_id>/output/model.tar.gz` (one atomic object write). */
export async function saveArtifact(store: ObjectStore, meta: ArtifactMeta, weights: Float32Array): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stockcast-artifact-'));
  try {
    await writeFile(join(dir, 'model.json'), JSON.stringify(meta, null, 1));
    await writeFile(join(dir, 'weights.bin'), Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength));
    const file = join(dir, 'model.tar.gz');
    await tar.c({ gzip: true, file, cwd: dir, portable: true }, ['model.json', 'weights.bin']);
    const key = artifactKey(meta.modelId);
    await store.putFile(key, file);
    return key;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Loads a model artifact; a missing one is a readable error naming the model id and location. */
export async function loadArtifact(store: ObjectStore, modelId: string): Promise<{ meta: ArtifactMeta; weights: Float32Array }> {
  const dir = await mkdtemp(join(tmpdir(), 'stockcast-artifact-'));
  try {
    const file = join(dir, 'model.tar.gz');
    if (!(await store.getFile(artifactKey(modelId), file))) {
      throw new Error(`no trained model "${modelId}" at ${store.location}/${artifactKey(modelId)}: run \`stockcast train --model-id ${modelId}\` first`);
    }
    await tar.x({ file, cwd: dir });
    const meta = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as ArtifactMeta;
    if (meta.format !== 'stockcast-tft/1') throw new Error(`model "${modelId}" has an unknown artifact format ${String(meta.format)}`);
    const buf = await readFile(join(dir, 'weights.bin'));
    const weights = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    return { meta, weights };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The model config a model was trained with (its strategy, features and limits), as stored in its artifact. */
export function trainedConfig(meta: ArtifactMeta): ModelConfig {
  return { metadata: {}, performanceTests: {}, ...meta.training.config } as unknown as ModelConfig;
}
