/** Splitting a batch between threads: the parts' ranges, and copies that can be sent to a worker. */
import type { TftBatch } from '../dataset/tft-batch.js';

/** [from, to) of each of `parts` near-equal parts of `size` windows, the first one first; empty parts are left out. */
export function batchParts(size: number, parts: number): Array<[number, number]> {
  const per = Math.ceil(size / parts);
  const out: Array<[number, number]> = [];
  for (let from = 0; from < size; from += per) out.push([from, Math.min(from + per, size)]);
  return out;
}

/** A batch whose arrays own their memory (views of a larger batch cannot be sent without copying it all). */
export function copyBatch(b: TftBatch): TftBatch {
  return {
    size: b.size,
    categorical: b.categorical.slice(),
    reals: b.reals.slice(),
    staticCategorical: b.staticCategorical.slice(),
    staticReals: b.staticReals.slice(),
    encoderLengths: b.encoderLengths.slice(),
    target: b.target.slice(),
    targetScale: b.targetScale.slice(),
    targetRaw: b.targetRaw.slice(),
    seriesIndex: b.seriesIndex.slice(),
    decoderStartIdx: b.decoderStartIdx.slice(),
  };
}

/** The buffers of a copied batch, to transfer to a worker instead of cloning them. */
export function batchBuffers(b: TftBatch): ArrayBuffer[] {
  return [b.categorical, b.reals, b.staticCategorical, b.staticReals, b.encoderLengths, b.target, b.targetScale, b.targetRaw, b.seriesIndex, b.decoderStartIdx].map((a) => a.buffer as ArrayBuffer);
}
