import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../core/atomic-file.js';
import type { ParamEntry } from './params.js';
import { assertFiniteWeights, assertWeightsMatchManifest } from './finite-weights.js';

/** Everything needed to continue training exactly where it stopped. */
export interface TrainingState {
  epoch: number;
  /** Batches of the current epoch already applied (a mid-epoch stop resumes from the next one). */
  batchInEpoch: number;
  learningRate: number;
  bestValLoss: number;
  bestEpoch: number;
  epochsWithoutImprovement: number;
  plateauEpochs: number;
  history: Array<{ epoch: number; trainLoss: number; valLoss: number; learningRate: number; seconds: number }>;
  adamStep: number;
  /** Seed of the epoch's shuffle and dropout streams. */
  seed: number;
}

/** A checkpoint: weights, Adam moments and the training state. */
export interface Checkpoint {
  manifest: ParamEntry[];
  weights: Float32Array;
  adamM: Float32Array;
  adamV: Float32Array;
  state: TrainingState;
}

const MAGIC = 'SCKPT1';

/** Writes a checkpoint atomically (temp file + rename): a crash never leaves a torn file. */
export async function saveCheckpoint(path: string, ckpt: Checkpoint): Promise<void> {
  const header = Buffer.from(JSON.stringify({ manifest: ckpt.manifest, state: ckpt.state, n: ckpt.weights.length }));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  const body = Buffer.concat([
    Buffer.from(MAGIC),
    len,
    header,
    Buffer.from(ckpt.weights.buffer, ckpt.weights.byteOffset, ckpt.weights.byteLength),
    Buffer.from(ckpt.adamM.buffer, ckpt.adamM.byteOffset, ckpt.adamM.byteLength),
    Buffer.from(ckpt.adamV.buffer, ckpt.adamV.byteOffset, ckpt.adamV.byteLength),
  ]);
  await writeFileAtomic(path, body);
}

/**
 * Reads a checkpoint written by `saveCheckpoint`, or returns null when there is none. A damaged one (truncated,
 * not a checkpoint, an unreadable header, weights or Adam moments that are not finite) is an error naming the
 * file and what is wrong, so a resumed run never continues from garbage.
 */
export async function loadCheckpoint(path: string): Promise<Checkpoint | null> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read the checkpoint ${path}: ${(err as Error).message}`, { cause: err });
  }
  const where = `checkpoint ${path}`;
  const damaged = (what: string) => new Error(`${where} ${what}; delete it (and train without --resume) to start over`);
  if (buf.length < MAGIC.length + 4 || buf.subarray(0, MAGIC.length).toString() !== MAGIC) throw damaged('is not a stockcast checkpoint (wrong or missing header)');
  const hlen = buf.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  if (start + hlen > buf.length) throw damaged(`is truncated: its header needs ${hlen} bytes, ${buf.length - start} are there`);
  let header: { manifest: ParamEntry[]; state: TrainingState; n: number };
  try {
    header = HEADER.parse(JSON.parse(buf.subarray(start, start + hlen).toString()));
  } catch (err) {
    throw damaged(`has an unreadable header (${err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).slice(0, 3).join('; ') : (err as Error).message})`);
  }
  const expected = start + hlen + 3 * header.n * 4;
  if (buf.length !== expected) throw damaged(`is ${buf.length < expected ? 'truncated' : 'too long'}: ${buf.length} bytes where its header says ${expected}`);
  const floats = (i: number) => {
    const off = start + hlen + i * header.n * 4;
    return new Float32Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + header.n * 4));
  };
  const ckpt = { manifest: header.manifest, state: header.state, weights: floats(0), adamM: floats(1), adamV: floats(2) };
  assertWeightsMatchManifest(ckpt.weights, ckpt.manifest, where);
  const advice = 'the run it saved had diverged; delete it (and train without --resume) to start over';
  assertFiniteWeights(ckpt.weights, ckpt.manifest, where, { advice });
  assertFiniteWeights(ckpt.adamM, ckpt.manifest, where, { what: 'Adam first moments', advice });
  assertFiniteWeights(ckpt.adamV, ckpt.manifest, where, { what: 'Adam second moments', advice });
  return ckpt;
}

const count = z.number().int().min(0);
const HEADER = z.object({
  manifest: z.array(z.object({ name: z.string(), shape: z.array(count), offset: count, size: count })),
  n: count,
  state: z.looseObject({
    epoch: count,
    batchInEpoch: count,
    learningRate: z.number().positive(),
    // JSON has no Infinity: a checkpoint taken before the first validation stores it as null
    bestValLoss: z.number().nullable().transform((v) => v ?? Infinity),
    bestEpoch: z.number().int(),
    epochsWithoutImprovement: count,
    plateauEpochs: count,
    history: z.array(z.object({ epoch: count, trainLoss: z.number(), valLoss: z.number(), learningRate: z.number(), seconds: z.number() })),
    adamStep: count,
    seed: z.number(),
  }),
});
