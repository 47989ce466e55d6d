/**
 * Earlier artifacts of a model, kept rather than overwritten: before training replaces
 * `<model_id>/output/model.tar.gz`, the artifact there (stockcast's own, or a foreign one such as the seed's
 * SageMaker output) is copied to `<model_id>/versions/<timestamp>/model.tar.gz`. The copy lands before the
 * replacement, so there is never a moment without an artifact, and nothing here ever deletes a version.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { archiveFiles } from './artifact-file.js';
import type { ObjectStore } from '../store/object-store.js';

/** Where a model's earlier artifacts live. */
export const versionsPrefix = (modelId: string): string => `${modelId}/versions/`;
/** The key of one kept version. */
export const versionKey = (modelId: string, version: string): string => `${versionsPrefix(modelId)}${version}/model.tar.gz`;

/** A version's name from the time it was replaced: UTC, sortable, safe as a path segment (2026-01-15T10-15-02-123Z). */
export function versionName(t: Date): string {
  return t.toISOString().replace(/[:.]/g, '-');
}

/** The time a version name stands for (the inverse of versionName); null for a name it did not make. */
export function versionTime(name: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z(?:-\d+)?$/.exec(name);
  return m ? `${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z` : null;
}

/** The names of a model's kept versions, oldest first. */
export async function listVersionNames(store: ObjectStore, modelId: string): Promise<string[]> {
  const prefix = versionsPrefix(modelId);
  return (await store.list(prefix))
    .filter((k) => k.endsWith('/model.tar.gz'))
    .map((k) => k.slice(prefix.length, -'/model.tar.gz'.length))
    .filter((name) => !name.includes('/'))
    .sort();
}

/** What an artifact file holds, read without trusting it: its format, or why it cannot be used. */
export interface ArtifactContents {
  bytes: number;
  sha256: string;
  /** `stockcast-tft/1`, `foreign` (an archive without stockcast's model.json) or `unreadable`. */
  format: string;
  /** Why stockcast cannot use it; null when it can. */
  problem: string | null;
  /** The parsed model.json of a stockcast artifact. */
  meta: Record<string, unknown> | null;
  weights: Buffer | null;
}

/** Reads an artifact file: never throws for a foreign or damaged archive, it says what is wrong instead. */
export async function readArtifactContents(file: string): Promise<ArtifactContents> {
  const body = await readFile(file);
  const base = { bytes: body.byteLength, sha256: createHash('sha256').update(body).digest('hex'), meta: null, weights: null };
  let files: Map<string, Uint8Array>;
  try {
    files = archiveFiles(body, file);
  } catch (err) {
    return { ...base, format: 'unreadable', problem: `not a readable .tar.gz archive (${(err as Error).message})` };
  }
  const json = files.get('model.json');
  if (!json) {
    const names = [...files.keys()];
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length} files)` : '');
    return { ...base, format: 'foreign', problem: `not a stockcast model: the archive holds ${shown || 'nothing'} and no model.json (e.g. the seed's SageMaker output); kept, but stockcast cannot load it` };
  }
  let meta: unknown;
  try {
    meta = JSON.parse(Buffer.from(json).toString('utf8'));
  } catch (err) {
    return { ...base, format: 'unreadable', problem: `its model.json is not valid JSON (${(err as Error).message})` };
  }
  const format = typeof (meta as { format?: unknown } | null)?.format === 'string' ? String((meta as { format: string }).format) : 'unknown';
  if (format !== 'stockcast-tft/1') return { ...base, format, problem: `unknown artifact format ${format}` };
  const bin = files.get('weights.bin');
  const weights = bin ? Buffer.from(bin.buffer, bin.byteOffset, bin.byteLength) : null;
  return { ...base, format, problem: weights ? null : 'the archive has no weights.bin', meta: meta as Record<string, unknown>, weights };
}

/**
 * Keeps the artifact file `file` (the bytes at the model's output key, `sha256`) as a version, unless the newest
 * version already holds exactly these bytes (a save that crashed after keeping it and is run again). Returns
 * the version's key.
 */
export async function keepVersion(store: ObjectStore, modelId: string, file: string, sha256: string, now: Date): Promise<string> {
  const names = await listVersionNames(store, modelId);
  const newest = names.at(-1);
  if (newest !== undefined) {
    const dir = await mkdtemp(join(file, '..', 'newest-'));
    try {
      const copy = join(dir, 'model.tar.gz');
      if ((await store.getFile(versionKey(modelId, newest), copy)) && (await sha256Of(copy)) === sha256) return versionKey(modelId, newest);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  let name = versionName(now);
  for (let n = 2; names.includes(name); n++) name = `${versionName(now)}-${n}`;
  await store.putFile(versionKey(modelId, name), file);
  return versionKey(modelId, name);
}

async function sha256Of(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}
