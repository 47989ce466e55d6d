import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once, runCli, TINY_CONFIGS, type CliRun } from '../helpers/cli.js';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { baselinePredictionsKey, predictionsKey, readPredictions } from '../../src/store/predictions-parquet.js';

// `year` never seen in training: validation and test are 2020, training 2019
const CONFIGS = `${TINY_CONFIGS}  yearly:
    features: [open, year, day_of_week]
    train_start: "2019-01-01"
    train_end: "2020-01-01"
    val_end: "2020-07-01"
    test_end: "2021-01-01"
    max_lookback_period: 10
    max_prediction_length: 2
    batch_size: 64
    hidden_size: 8
    hidden_continuous_size: 4
    max_epochs: 1
`;

describe('evaluation commands: verdicts on the test range, baselines, comparison, walk-forward', () => {
  let dir = '';
  const cli = (...args: string[]) => runCli(args, dir);
  const ok = async (args: string[]): Promise<CliRun> => {
    const r = await cli(...args);
    assert.equal(r.code, 0, `stockcast ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
    return r;
  };
  const backfilled = once(() => ok(['backfill', '--source', 'synthetic', '--symbols', 'SYN00,SYN01,SYN02,SYN03', '--features', 'open,day_of_week,year', '--start', '2019-06-01', '--end', '2020-12-31']));
  const trained = once(async () => (await backfilled(), ok(['train', '--model-id', 'tiny', '--max-epochs', '1', '--threads', '1'])));
  const predicted = once(async () => (await trained(), ok(['predict', '--model-id', 'tiny'])));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sc-evalcmd-'));
    await writeFile(join(dir, 'configs.yaml'), CONFIGS);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('train says validation chose the epoch; a categorical unseen in training is a loud warning, and an error with --strict', async () => {
    const t = await trained();
    assert.match(t.stdout, /^note: the validation range \(2020-07-01 … 2020-10-01\) chose this epoch, so these losses are not out-of-sample figures/m);
    const strict = await cli('train', '--model-id', 'yearly', '--strict', '--threads', '1');
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /--strict: 1 feature problem\(s\):\n {2}feature "year": its validation\/test value\(s\) 2020 never occur in training \(training has 2019\)/);
    const loud = await ok(['train', '--model-id', 'yearly', '--threads', '1']);
    assert.match(loud.stderr, /^WARNING: feature "year": its validation\/test value\(s\) 2020 never occur in training/m);
    assert.match(loud.stdout, /^WARNING: 1 feature problem\(s\), printed above: year \(--strict makes them errors\)$/m);
  });

  test('evaluate opens with the test-range verdict beside four baselines; --json lists them', async () => {
    await predicted();
    const text = await ok(['evaluate', '--model-id', 'tiny', '--num-stocks', '1,2', '--uncertainty', '0.1']);
    const [head, verdict] = text.stdout.split('\n');
    assert.match(head!, /^model tiny on its TEST range: decisions 2020-09-30 … 2020-12-29, 4 symbols × 63 days/);
    assert.match(verdict!, /^The model (BEATS every baseline|does NOT beat any baseline|beats .* but NOT .*) on the test range: quantile loss \d+\.\d{4} vs naive /);
    for (const b of ['naive', 'drift', 'seasonal-naive', 'moving-average']) assert.match(text.stdout, new RegExp(`^${b} +\\d+\\.\\d{4} +\\d+\\.\\d{4}`, 'm'));
    assert.match(text.stdout, /costs 0 \+ slippage 5 bps per side/);
    const json = JSON.parse((await ok(['evaluate', '--model-id', 'tiny', '--json', '--num-stocks', '1', '--uncertainty', '0.1', '--slippage-bps', '0'])).stdout) as {
      verdict: { sentence: string; beats: string[]; doesNotBeat: string[] };
      base: { slippageBps: number };
      baselines: Array<{ name: string; quantileLoss: number; mae: number; bandCoverage: number; rankIc: number | null; bestRun: { totalReturn: number; equity?: unknown }; dieboldMariano: { pValue: number } }>;
      runs: Array<{ costFree: { finalMoney: number }; finalMoney: number }>;
      benchmarks: Array<{ afterTax: { totalReturn: number } }>;
    };
    assert.deepEqual(json.baselines.map((b) => b.name), ['naive', 'drift', 'seasonal-naive', 'moving-average']);
    assert.deepEqual([...json.verdict.beats, ...json.verdict.doesNotBeat].sort(), ['drift', 'moving-average', 'naive', 'seasonal-naive']);
    for (const b of json.baselines) assert.ok(b.quantileLoss > 0 && b.mae > 0 && b.bandCoverage > 0 && b.bestRun.equity === undefined);
    assert.equal(json.base.slippageBps, 0);
    assert.equal(json.runs[0]!.costFree.finalMoney, json.runs[0]!.finalMoney, 'with no costs, the cost-free run is the run');
    assert.equal(typeof json.benchmarks[0]!.afterTax.totalReturn, 'number');
  });

  test('predict --baseline writes the baseline with the model columns and rows; evaluate --compare puts models in one table', async () => {
    await predicted();
    const r = await ok(['predict', '--model-id', 'tiny', '--baseline', 'drift']);
    assert.match(r.stdout, /predicted \d+ windows \(4 symbols × 63 days\) with the drift baseline → .*tiny\/output\/baselines\/drift\.parquet/);
    const models = new LocalObjectStore(join(dir, 'home', 'models'));
    const model = await readPredictions(models, predictionsKey('tiny'), 'tiny');
    const drift = await readPredictions(models, baselinePredictionsKey('tiny', 'drift'), 'drift');
    assert.deepEqual([drift.quantiles, drift.horizon, drift.symbols, Array.from(drift.timestamps)], [model.quantiles, model.horizon, model.symbols, Array.from(model.timestamps)]);
    assert.deepEqual(Array.from(drift.currentY), Array.from(model.currentY));
    const bad = await cli('predict', '--model-id', 'tiny', '--baseline', 'oracle');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /option '--baseline <name>' argument 'oracle' is invalid\. Expected one of naive, drift, seasonal-naive, moving-average\./);
    await ok(['train', '--model-id', 'yearly', '--threads', '1']);
    await ok(['predict', '--model-id', 'yearly']);
    const cmp = await ok(['evaluate', '--compare', 'tiny', 'yearly', '--num-stocks', '1']);
    assert.match(cmp.stdout, /^test-range comparison on the \d+ \(symbol, day\) rows every model forecast/);
    for (const name of ['tiny', 'yearly', 'naive \\(baseline\\)', 'moving-average \\(baseline\\)']) assert.match(cmp.stdout, new RegExp(`^${name} +\\d+\\.\\d{4}`, 'm'));
    assert.match(cmp.stdout, /^lowest quantile loss: model (tiny|yearly) \(\d+\.\d{4}\) (beats|does NOT beat) the best baseline/m);
  });

  test('walk-forward: killed during a fold, a re-run skips the finished fold and resumes the other at its epoch', async () => {
    await backfilled();
    const args = ['walk-forward', '--model-id', 'tiny', '--folds', '2', '--max-epochs', '2', '--threads', '1'];
    const killed = await runUntil(args, dir, /fold 2\/2: [^\n]*: training\n(?:.*\n)*? {2}epoch 1 /);
    assert.match(killed, /fold 1\/2: [^\n]*: predicting the test period/);
    const resumed = await ok(args);
    assert.match(resumed.stderr, /^fold 1\/2: train 2020-01-01 … 2020-07-01, validate … 2020-10-01, test … 2020-11-16: done in an earlier run$/m);
    assert.match(resumed.stderr, /^fold 2\/2: train 2020-01-01 … 2020-08-16, validate … 2020-11-16, test … 2021-01-01: training, resuming its checkpoint/m);
    assert.doesNotMatch(resumed.stderr, /^ {2}epoch 1 /m, 'the finished epoch is not trained again');
    assert.match(resumed.stderr, /^ {2}epoch 2 /m);
    assert.match(resumed.stdout, /^ {3}1 {2}2020-01-01 … 2020-07-01 {4}2020-10-01 {3}2020-11-16/m);
    assert.match(resumed.stdout, /^ALL FOLDS' OUT-OF-SAMPLE PREDICTIONS, EVALUATED AS ONE:\nmodel tiny \(walk-forward\) on its TEST range: decisions 2020-09-30 … 2020-12-29/m);
    const state = JSON.parse(await readFile(join(dir, 'home', 'walk-forward', 'tiny.json'), 'utf8')) as Record<string, { status: string }>;
    assert.deepEqual(Object.values(state).map((s) => s.status), ['predicted', 'predicted']);
    const neither = await cli('walk-forward', '--model-id', 'tiny');
    assert.equal(neither.code, 1);
    assert.match(neither.stderr, /walk-forward: give either --folds <n> or --test-years <years>/);
  });
});

/** Runs the CLI until its stderr matches `pattern`, then kills it with SIGKILL (no chance to clean up); returns the stderr. */
function runUntil(args: string[], cwd: string, pattern: RegExp): Promise<string> {
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), main, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, STOCKCAST_HOME: join(cwd, 'home') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      if (pattern.test(stderr)) child.kill('SIGKILL');
    });
    child.on('close', (_code, signal) => (signal === 'SIGKILL' ? resolve(stderr) : reject(new Error(`the run ended before it could be killed:\n${stderr}`))));
  });
}
