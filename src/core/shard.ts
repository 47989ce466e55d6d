/** Splitting work by symbol across machines: a stable hash, so every machine agrees without talking to the others. */

/** One shard of `count`, numbered from 1 (`--shard 2/4`). */
export interface Shard {
  index: number;
  count: number;
}

/** FNV-1a (32 bit) of the UTF-8 bytes of `text`: stable across machines, runs and Node versions. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The shard (1 … count) a symbol belongs to. */
export function shardOf(symbol: string, count: number): number {
  return (fnv1a32(symbol) % count) + 1;
}

/** Parses `i/n` (1 ≤ i ≤ n ≤ 10000), or throws naming the flag and the expected form. */
export function parseShard(text: string, flag = '--shard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || count > 10_000 || index < 1 || index > count) {
    throw new Error(`${flag}: expected i/n with 1 <= i <= n <= 10000 (e.g. 1/4 … 4/4), got "${text}"`);
  }
  return { index, count };
}
