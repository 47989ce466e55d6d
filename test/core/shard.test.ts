import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fnv1a32, parseShard, shardOf } from '../../src/core/shard.js';

test('fnv1a32 gives the published FNV-1a test vectors', () => {
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
  assert.equal(fnv1a32('foobar'), 0xbf9cf968);
});

test('shardOf numbers shards from 1, is stable, and spreads symbols', () => {
  // 0xe40c292c = 3826002220; 3826002220 mod 4 = 0 → shard 1; mod 7 = 3826002220 - 7·546571745 = 5 → shard 6
  assert.equal(shardOf('a', 4), 1);
  assert.equal(shardOf('a', 7), 6);
  assert.equal(shardOf('AAPL', 1), 1);
  const symbols = Array.from({ length: 400 }, (_, i) => `S${i}`);
  const sizes = [1, 2, 3, 4].map((i) => symbols.filter((s) => shardOf(s, 4) === i).length);
  assert.equal(sizes.reduce((a, b) => a + b, 0), 400);
  assert.ok(sizes.every((n) => n > 70 && n < 130), `shard sizes ${sizes.join(', ')}`);
});

test('parseShard accepts i/n and names the flag otherwise', () => {
  assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
  assert.deepEqual(parseShard(' 1 / 1 '), { index: 1, count: 1 });
  for (const bad of ['0/4', '5/4', '1/0', 'a/b', '1', '1/20000']) {
    assert.throws(() => parseShard(bad), /--shard: expected i\/n with 1 <= i <= n <= 10000 \(e\.g\. 1\/4 … 4\/4\), got/);
  }
});
