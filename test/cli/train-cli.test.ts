import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

function runCli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, STOCKCAST_HOME: join(cwd, 'home') } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const CONFIGS = `configs:
  tiny:
    features: [open, day_of_week]
    train_start: "2020-01-01"
    train_end: "2020-07-01"
    val_end: "2020-10-01"
    test_end: "2021-01-01"
    max_lookback_period: 10
    max_prediction_length: 2
    batch_size: 64
    hidden_size: 8
    attention_head_size: 1
    dropout: 0.1
    hidden_continuous_size: 4
    lstm_layers: 1
    learning_rate: 0.003
    max_epochs: 2
    time_frame_unit: Day
    time_frame_amount: 1
    reduce_on_plateau_patience: 5
    preferred_trading_strategy: _performance_test_1
    _performance_test_1:
      _test_strategy: SimpleXDaysAheadBuying
      _interval_days: 1
      _num_stocks_purchased: 2
      _capital_gains_tax: 0.35
      _uncertainty_multiplier: 0.1
      _compound_money: True
      _dont_buy_negative_stocks: False
`;

test('train → predict → evaluate → explain → forecast on a backfilled store; resume; bad inputs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-train-cli-'));
  try {
    await writeFile(join(dir, 'configs.yaml'), CONFIGS);
    const bf = await runCli(['backfill', '--symbols', 'SYN00,SYN01,SYN02', '--features', 'open,day_of_week', '--start', '2020-01-01', '--end', '2020-12-31'], dir);
    assert.equal(bf.code, 0, bf.stderr);
    const first = await runCli(['train', '--model-id', 'tiny', '--max-epochs', '1', '--threads', '1'], dir);
    assert.equal(first.code, 0, first.stderr);
    // auto picks the native engine (CI builds it); the resumed run continues on wasm from the same checkpoint
    assert.match(first.stderr, /backend: native/);
    assert.match(first.stdout, /epoch 1 {2}train \d+\.\d+ {2}val \d+\.\d+ {2}lr 3\.0e-3/);
    assert.match(first.stdout, /model artifact: tiny\/output\/model\.tar\.gz/);
    await access(join(dir, 'home', 'models', 'tiny', 'output', 'model.tar.gz'));
    await access(join(dir, 'home', 'models', 'tiny', 'checkpoints', 'last.ckpt'));
    const resumed = await runCli(['train', '--model-id', 'tiny', '--resume', '--threads', '1', '--backend', 'wasm'], dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /backend: wasm/);
    assert.doesNotMatch(resumed.stdout, /^epoch 1 /m, 'the finished epoch is not trained again');
    assert.match(resumed.stdout, /^epoch 2 /m);
    const predicted = await runCli(['predict', '--model-id', 'tiny'], dir);
    assert.equal(predicted.code, 0, predicted.stderr);
    assert.match(predicted.stdout, /predicted \d+ windows \(3 symbols × \d+ days\)/);
    const evaluated = await runCli(['evaluate', '--model-id', 'tiny', '--json', '--num-stocks', '1,2', '--uncertainty', '0.1'], dir);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    const report = JSON.parse(evaluated.stdout) as { runs: unknown[]; deflatedSharpe: { trials: number } | null; forecastQuality: { nominalCoverage: number } };
    assert.equal(report.runs.length, 4, 'interval 1–2 × stocks 1–2 × one multiplier');
    assert.ok(Math.abs(report.forecastQuality.nominalCoverage - 0.4) < 1e-12);
    await access(join(dir, 'home', 'reports', 'tiny.html'));
    const badGrid = await runCli(['evaluate', '--model-id', 'tiny', '--num-stocks', '0'], dir);
    assert.equal(badGrid.code, 1);
    assert.match(badGrid.stderr, /strategy parameter num_stocks_purchased: expected an integer >= 1, got 0/);
    const explained = await runCli(['explain', '--model-id', 'tiny', '--json'], dir);
    assert.equal(explained.code, 0, explained.stderr);
    const weights = JSON.parse(explained.stdout) as { encoderImportance: Record<string, number> };
    const total = Object.values(weights.encoderImportance).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-4, `importances sum to ${total}`);
    const forecast = await runCli(['forecast', '--model-id', 'tiny'], dir);
    assert.equal(forecast.code, 0, forecast.stderr);
    assert.match(forecast.stdout, /forecasts of tiny from data up to 2020-12-31 \(3 symbols\)/);
    const backDated = await runCli(['forecast', '--model-id', 'tiny', '--as-of', '2020-12-15'], dir);
    assert.equal(backDated.code, 0, backDated.stderr);
    assert.match(backDated.stdout, /from data up to 2020-12-15 \(3 symbols\)/);
    assert.notEqual(backDated.stdout.split('\n').slice(3).join('\n'), forecast.stdout.split('\n').slice(3).join('\n'), 'an earlier day gives other forecasts');
    await tradeSteps(dir);
    const noModel = await runCli(['predict', '--model-id', 'ghost'], dir);
    assert.match(noModel.stderr, /no trained model "ghost"/);
    const unknown = await runCli(['train', '--model-id', 'nope'], dir);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /configs\.yaml: config "nope": expected one of the config ids in the file: tiny/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** trade on the local paper broker: dry run by default, --execute once, a re-run sends nothing, status exit codes. */
async function tradeSteps(dir: string): Promise<void> {
  const at = ['--model-id', 'tiny', '--broker', 'paper', '--now', '2021-01-04T15:00:00Z'];
  const dry = await runCli(['trade', ...at], dir);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stderr, /DRY RUN \(pass --execute to send orders\)/);
  assert.match(dry.stderr, /refreshed 2021-01-01\.\.2021-01-04/);
  assert.match(dry.stdout, /buy +SYN0\d .*planned/);
  assert.match((await runCli(['trade', 'status'], dir)).stdout, /no runs recorded yet/);
  const sent = await runCli(['trade', ...at, '--execute'], dir);
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal(sent.stdout.match(/^ {2}buy .* filled /gm)?.length, 2, sent.stdout);
  const again = await runCli(['trade', ...at, '--execute'], dir);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.match(/^ {2}buy /gm)?.length ?? 0, sent.stdout.match(/^ {2}buy /gm)!.length, 'a re-run shows the same two orders');
  assert.doesNotMatch(again.stderr, /refreshed/, 'nothing left to refresh or send');
  const onTime = await runCli(['trade', 'status', '--now', '2021-01-05T14:00:00Z'], dir);
  assert.equal(onTime.code, 0, onTime.stdout);
  assert.match(onTime.stdout, /^tiny +2021-01-04 +complete +2021-01-05 +0\.00 +no$/m);
  const missed = await runCli(['trade', 'status', '--now', '2021-01-07T15:00:00Z'], dir);
  assert.equal(missed.code, 2, 'a scheduler alerts on exit code 2');
  const live = await runCli(['trade', ...at, '--live', '--execute'], dir);
  assert.equal(live.code, 1);
  assert.match(live.stderr, /--live needs the Alpaca broker|live_trading/);
  const contradiction = await runCli(['trade', ...at, '--dry-run', '--execute'], dir);
  assert.equal(contradiction.code, 1);
  assert.match(contradiction.stderr, /--dry-run and --execute contradict each other/);
}
