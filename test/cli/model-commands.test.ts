import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once, runCli, TINY_CONFIGS as CONFIGS, type CliRun } from '../helpers/cli.js';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { predictionsKey, readPredictions } from '../../src/store/predictions-parquet.js';
import type { PredictionTable } from '../../src/core/prediction-table.js';

/** Two prediction tables of the same windows agree value for value, each forecast within `rel` (relative to max(|x|, 1e-3)). */
function assertSamePredictions(a: PredictionTable, ref: PredictionTable, rel: number, what: string): void {
  assert.deepEqual([a.symbols, [...a.timestamps], [...a.currentY], [...a.y]], [ref.symbols, [...ref.timestamps], [...ref.currentY], [...ref.y]], `${what}: the same windows`);
  assert.equal(a.pred.length, ref.pred.length);
  assert.ok(ref.pred.length > 0, `${what}: no forecasts`);
  for (let i = 0; i < ref.pred.length; i++) {
    const [x, e] = [a.pred[i]!, ref.pred[i]!];
    assert.ok(Math.abs(x - e) <= rel * Math.max(1e-3, Math.abs(e)), `${what}: forecast ${i}: ${x} vs ${e}`);
  }
}

// One test per command, run as a user would (a child process in a scratch directory). The commands build on each
// other (train → predict → evaluate …), so each prerequisite is a step run once, on first need: a test run
// alone still works, and a broken step fails every test that needs it with the step's own output.

describe('stockcast commands on a backfilled store (synthetic market, local paper broker)', () => {
  let dir = '';
  const cli = (...args: string[]) => runCli(args, dir);
  /** Runs a step and fails with its output when it exits non-zero. */
  const ok = async (args: string[]): Promise<CliRun> => {
    const r = await cli(...args);
    assert.equal(r.code, 0, `stockcast ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
    return r;
  };
  const trade = ['trade', '--model-id', 'tiny', '--broker', 'paper'];
  const DAY1 = ['--now', '2021-01-04T15:00:00Z'];
  const DAY2 = ['--now', '2021-01-05T15:00:00Z'];

  const backfilled = once(() => ok(['backfill', '--source', 'synthetic', '--symbols', 'SYN00,SYN01,SYN02', '--features', 'open,day_of_week', '--start', '2020-01-01', '--end', '2020-12-31']));
  const trained = once(async () => (await backfilled(), ok(['train', '--model-id', 'tiny', '--max-epochs', '1', '--threads', '1'])));
  const predicted = once(async () => (await trained(), ok(['predict', '--model-id', 'tiny'])));
  const tradedDay1 = once(async () => (await trained(), ok([...trade, ...DAY1, '--execute'])));

  /** The predictions Parquet `predict` last wrote. */
  const storedPredictions = () => readPredictions(new LocalObjectStore(join(dir, 'home', 'models')), predictionsKey('tiny'), 'model tiny');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sc-commands-'));
    await writeFile(join(dir, 'configs.yaml'), CONFIGS);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('train: one epoch writes the artifact and a checkpoint; --resume continues at the next epoch on another engine; an unknown id lists the ids', async () => {
    const first = await trained();
    // auto picks the native engine (CI builds it); the resumed run continues on wasm from the same checkpoint
    assert.match(first.stderr, /backend: native/);
    assert.match(first.stdout, /epoch 1 {2}train \d+\.\d+ {2}val \d+\.\d+ {2}lr 3\.0e-3/);
    assert.match(first.stdout, /model artifact: tiny\/output\/model\.tar\.gz/);
    await access(join(dir, 'home', 'models', 'tiny', 'output', 'model.tar.gz'));
    await access(join(dir, 'home', 'models', 'tiny', 'checkpoints', 'last.ckpt'));
    const resumed = await ok(['train', '--model-id', 'tiny', '--resume', '--threads', '1', '--backend', 'wasm']);
    assert.match(resumed.stderr, /backend: wasm/);
    assert.doesNotMatch(resumed.stdout, /^epoch 1 /m, 'the finished epoch is not trained again');
    assert.match(resumed.stdout, /^epoch 2 /m);
    const unknown = await cli('train', '--model-id', 'nope');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /configs\.yaml: config "nope": expected one of the config ids in the file: tiny/);
  });

  test('predict: forecasts every test window of every symbol on every core (native by default, a wasm worker pool on request), the same numbers on 1 or 2 threads; bad flags and an untrained model are clear errors', async () => {
    const predictedRun = await predicted();
    assert.match(predictedRun.stdout, /predicted \d+ windows \(3 symbols × \d+ days\)/);
    assert.match(predictedRun.stderr, /backend: native, \d+ threads?\n/, 'every core by default');
    const onNative = await storedPredictions();
    const onePerCore = async (threads: string) => {
      const run = await ok(['predict', '--model-id', 'tiny', '--backend', 'wasm', '--threads', threads]);
      assert.match(run.stderr, new RegExp(`backend: wasm, ${threads} threads?`));
      assert.equal(run.stdout, predictedRun.stdout, 'the same windows on either engine');
      return storedPredictions();
    };
    const single = await onePerCore('1');
    const pooled = await onePerCore('2');
    // two worker threads run the same wasm kernels on halves of each batch: equal up to float32 summation order
    assertSamePredictions(pooled, single, 1e-6, 'wasm × 2 vs wasm × 1');
    // the native engine's parity with TensorFlow.js (test/model/native-engine.test.ts) is 1e-4 relative
    assertSamePredictions(onNative, single, 1e-4, 'native (every core) vs wasm × 1');
    for (const [flag, value, message] of [
      ['--threads', '0', /option '--threads <n>' argument '0' is invalid\. Expected an integer from 1 to 64\./],
      ['--threads', '2.5', /option '--threads <n>' argument '2\.5' is invalid\. Expected an integer from 1 to 64\./],
      ['--backend', 'gpu', /option '--backend <name>' argument 'gpu' is invalid\. Expected one of auto, native, wasm, cpu, tensorflow\./],
    ] as const) {
      const bad = await cli('predict', '--model-id', 'tiny', flag, value);
      assert.equal(bad.code, 1, `${flag} ${value}`);
      assert.match(bad.stderr, message);
    }
    const badThreads = await cli('evaluate', '--model-id', 'tiny', '--threads', 'all');
    assert.equal(badThreads.code, 1);
    assert.match(badThreads.stderr, /option '--threads <n>' argument 'all' is invalid\. Expected an integer from 1 to 64\./);
    const noModel = await cli('predict', '--model-id', 'ghost');
    assert.equal(noModel.code, 1);
    assert.match(noModel.stderr, /no trained model "ghost"/);
  });

  test('evaluate: the grid as JSON and an HTML report, predicting first (on --threads) when no predictions are stored; an invalid grid value names the parameter', async () => {
    await predicted();
    // the whole file and its part (an unsharded run is part 1 of 1): no stored predictions at all
    await rm(join(dir, 'home', 'models', 'tiny', 'output', 'predictions.parquet'));
    await rm(join(dir, 'home', 'models', 'tiny', 'output', 'predictions'), { recursive: true, force: true });
    const evaluated = await ok(['evaluate', '--model-id', 'tiny', '--json', '--num-stocks', '1,2', '--uncertainty', '0.1', '--threads', '1']);
    assert.match(evaluated.stderr, /no stored predictions for tiny: predicting the test range first/);
    assert.match(evaluated.stderr, /backend: native, 1 thread\n/);
    assert.match(evaluated.stderr, /predicted \d+ windows \(3 symbols/);
    await access(join(dir, 'home', 'models', 'tiny', 'output', 'predictions.parquet'));
    const report = JSON.parse(evaluated.stdout) as { runs: unknown[]; forecastQuality: { nominalCoverage: number } };
    assert.equal(report.runs.length, 4, 'interval 1–2 × stocks 1–2 × one multiplier');
    assert.ok(Math.abs(report.forecastQuality.nominalCoverage - 0.4) < 1e-12);
    await access(join(dir, 'home', 'reports', 'tiny.html'));
    const badGrid = await cli('evaluate', '--model-id', 'tiny', '--num-stocks', '0');
    assert.equal(badGrid.code, 1);
    assert.match(badGrid.stderr, /option '--num-stocks <list>' argument '0' is invalid\. Expected a comma list, each an integer from 1 to 10000\./);
  });

  test('explain: encoder importances sum to one; an HTML report is written', async () => {
    await trained();
    const explained = await ok(['explain', '--model-id', 'tiny', '--json', '--backend', 'wasm', '--threads', '2']);
    assert.match(explained.stderr, /backend: wasm, 2 threads/);
    const weights = JSON.parse(explained.stdout) as { encoderImportance: Record<string, number> };
    const total = Object.values(weights.encoderImportance).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-4, `importances sum to ${total}`);
    await access(join(dir, 'home', 'reports', 'tiny-explain.html'));
  });

  test('forecast: from the latest session, or from an earlier day with --as-of (other forecasts); a bad date is refused', async () => {
    await trained();
    // after the close of 31 Dec 2020 the latest session is that day, which the store holds: nothing to refresh
    const latest = await ok(['forecast', '--model-id', 'tiny', '--now', '2020-12-31T22:00:00Z', '--threads', '1']);
    assert.doesNotMatch(latest.stderr, /refreshed/);
    assert.match(latest.stderr, /backend: native, 1 thread\n/);
    assert.match(latest.stdout, /forecasts of tiny from data up to 2020-12-31 \(3 symbols\)/);
    const backDated = await ok(['forecast', '--model-id', 'tiny', '--as-of', '2020-12-15']);
    assert.match(backDated.stdout, /from data up to 2020-12-15 \(3 symbols\)/);
    assert.notEqual(backDated.stdout.split('\n').slice(3).join('\n'), latest.stdout.split('\n').slice(3).join('\n'), 'an earlier day gives other forecasts');
    const bad = await cli('forecast', '--model-id', 'tiny', '--as-of', '2020-02-30');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /option '--as-of <date>' argument '2020-02-30' is invalid\. Expected a date YYYY-MM-DD\./);
  });

  test('trade: a dry run by default (refreshes, plans, records nothing); --execute fills; a re-run sends nothing; unsafe flags refused', async () => {
    await trained();
    const dry = await ok([...trade, ...DAY1, '--backend', 'wasm', '--threads', '2']);
    assert.match(dry.stderr, /backend wasm, 2 threads/);
    assert.match(dry.stderr, /DRY RUN \(pass --execute to send orders\)/);
    assert.match(dry.stderr, /refreshed 2021-01-01\.\.2021-01-04/);
    assert.match(dry.stdout, /buy +SYN0\d .*planned/);
    assert.match((await ok(['trade', 'status'])).stdout, /no runs recorded yet/, 'a dry run records nothing');
    const sent = await tradedDay1();
    assert.equal(sent.stdout.match(/^ {2}buy .* filled /gm)?.length, 2, sent.stdout);
    const again = await ok([...trade, ...DAY1, '--execute']);
    assert.equal(again.stdout.match(/^ {2}buy /gm)?.length ?? 0, 2, 'a re-run shows the same two orders');
    assert.match(again.stdout, /^already_done: /);
    assert.doesNotMatch(again.stderr, /refreshed/, 'nothing left to refresh or send');
    const live = await cli(...trade, ...DAY1, '--live', '--execute');
    assert.equal(live.code, 1);
    assert.match(live.stderr, /--live needs the Alpaca broker|live_trading/);
    const contradiction = await cli(...trade, ...DAY1, '--dry-run', '--execute');
    assert.equal(contradiction.code, 1);
    assert.match(contradiction.stderr, /--dry-run and --execute contradict each other/);
  });

  test('trade status: on schedule the next day (exit 0); a missed run exits 2 for a scheduler', async () => {
    await tradedDay1();
    const onTime = await ok(['trade', 'status', '--now', '2021-01-05T14:00:00Z']);
    assert.match(onTime.stdout, /^tiny +2021-01-04 +complete +1 +2021-01-05 +0\.00 +0 +no$/m);
    assert.match(onTime.stdout, /interval \(trading days between runs\) from \S*configs\.yaml: tiny/);
    const missed = await cli('trade', 'status', '--now', '2021-01-07T15:00:00Z');
    assert.equal(missed.code, 2, missed.stdout);
    const bad = await cli('trade', 'status', '--now', 'tomorrow');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /option '--now <iso>' argument 'tomorrow' is invalid\. Expected an ISO time/);
  });

  test("performance: after the next day sells the first day's buys, the model's closed trades by week and symbol", async () => {
    const day1 = await tradedDay1();
    const bought = [...day1.stdout.matchAll(/^ {2}buy +(\S+) .* filled /gm)].map((m) => m[1]!).sort();
    const day2 = await ok([...trade, ...DAY2, '--execute']);
    assert.deepEqual([...day2.stdout.matchAll(/^ {2}sell +(\S+) .* filled /gm)].map((m) => m[1]!).sort(), bought);
    const perf = await ok(['performance']);
    assert.match(perf.stdout, /^#1 tiny: mean weekly return -?\d+\.\d\d% over 1 week\(s\)$/m);
    assert.match(perf.stdout, /^ {4}2021-W01 {2}P&L +-?\d+\.\d\d {2}return +-?\d+\.\d\d%$/m);
    const bySymbol = perf.stdout.split('by symbol:\n')[1]!.trim().split('\n').map((l) => l.trim().split(/\s+/)[0]!).sort();
    assert.deepEqual(bySymbol, bought);
  });
});
