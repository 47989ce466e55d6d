import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from '../helpers/cli.js';
import { cliSession, tinyConfigEntry } from '../helpers/tiny-model.js';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { predictionsKey, readPredictions } from '../../src/store/predictions-parquet.js';

// `predict --shard i/n` on "two machines" (two runs), `evaluate` on the parts, `predict --merge`, and the same
// predictions from one unsharded run.
const SYMBOLS = ['SYN00', 'SYN01', 'SYN02', 'SYN03', 'SYN04'];

describe('stockcast predict --shard / --merge', () => {
  let dir = '';
  const { cli, ok } = cliSession(() => dir);
  const models = () => new LocalObjectStore(join(dir, 'home', 'models'));
  const trained = once(async () => {
    await ok(['backfill', '--source', 'synthetic', '--symbols', SYMBOLS.join(','), '--features', 'open,day_of_week', '--start', '2020-01-01', '--end', '2020-12-31']);
    await ok(['train', '--model-id', 'tiny', '--threads', '1']);
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sc-shards-cli-'));
    await writeFile(join(dir, 'configs.yaml'), `configs:\n${tinyConfigEntry('tiny', { features: ['open', 'day_of_week'], stocks: 2 })}`);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('two shards, evaluate on the parts, merge; one unsharded run gives the very same values', async () => {
    await trained();
    const first = await ok(['predict', '--model-id', 'tiny', '--shard', '1/2']);
    assert.match(first.stdout, /^predicted shard 1\/2: \d+ windows \(\d symbols × \d+ days\) → file:.*\/tiny\/output\/predictions\/part-1-of-2\.parquet$/m);
    const early = await cli('evaluate', '--model-id', 'tiny', '--json');
    assert.equal(early.code, 1);
    assert.match(early.stderr, /the predictions of tiny are incomplete: parts 2\/2 are missing \(have: 1\); run `stockcast predict --model-id tiny --shard <i>\/2` for each missing part/);
    await ok(['predict', '--model-id', 'tiny', '--shard', '2/2']);
    const evaluated = JSON.parse((await ok(['evaluate', '--model-id', 'tiny', '--json', '--num-stocks', '2', '--uncertainty', '0.1'])).stdout) as { runs: unknown[] };
    assert.equal(evaluated.runs.length, 2);
    const merged = await ok(['predict', '--model-id', 'tiny', '--merge']);
    assert.match(merged.stdout, /^merged 2 part\(s\): \d+ windows \(5 symbols × \d+ days\) → file:.*\/tiny\/output\/predictions\.parquet$/m);
    const fromShards = await readPredictions(models(), predictionsKey('tiny'), 'tiny');
    await ok(['predict', '--model-id', 'tiny']);
    const whole = await readPredictions(models(), predictionsKey('tiny'), 'tiny');
    assert.equal(whole.symbols.length, fromShards.symbols.length);
    assert.deepEqual(fromShards, whole, 'merged shards equal one run, value for value');
  });

  test('flag mistakes are clear errors', async () => {
    const bad = await cli('predict', '--model-id', 'tiny', '--shard', '3/2');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--shard: expected i\/n with 1 <= i <= n <= 10000/);
    const both = await cli('predict', '--model-id', 'tiny', '--shard', '1/2', '--merge');
    assert.match(both.stderr, /--merge and --shard contradict each other/);
    const shards = await cli('predict', '--model-id', 'tiny', '--merge', '--shards', 'two');
    assert.match(shards.stderr, /option '--shards <n>' argument 'two' is invalid\. Expected an integer from 1 to 10000\./);
    const none = await cli('predict', '--model-id', 'ghost', '--merge');
    assert.match(none.stderr, /no prediction parts for model ghost: run `stockcast predict --model-id ghost`/);
  });
});
