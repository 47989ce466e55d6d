import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../core/atomic-file.js';
import type { ParamEntry } from './params.js';

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

/** Reads a checkpoint written by `saveCheckpoint`, or returns null when there is none. */
export async function loadCheckpoint(path: string): Promise<Checkpoint | null> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  if (buf.subarray(0, MAGIC.length).toString() !== MAGIC) throw new Error(`${path} is not a stockcast checkpoint`);
  const hlen = buf.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  const header = JSON.parse(buf.subarray(start, start + hlen).toString()) as { manifest: ParamEntry[]; state: TrainingState; n: number };
  const floats = (i: number) => {
    const off = start + hlen + i * header.n * 4;
    return new Float32Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + header.n * 4));
  };
  return { manifest: header.manifest, state: header.state, weights: floats(0), adamM: floats(1), adamV: floats(2) };
}
