import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once, runCli, type CliRun } from '../helpers/cli.js';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { predictionsKey, readPredictions } from '../../src/store/predictions-parquet.js';

// A log-return model and a price model trained on the same synthetic data, run through every command as a user
// would. The log-return model's quantiles must reach strategies and orders as prices.

const ENTRY = (id: string, target: string) => `  ${id}:
    target: ${target}
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
    hidden_continuous_size: 4
    learning_rate: 0.003
    max_epochs: 1
    preferred_trading_strategy: _performance_test_1
    _performance_test_1:
      _test_strategy: SimpleXDaysAheadBuying
      _interval_days: 1
      _num_stocks_purchased: 4
      _uncertainty_multiplier: 0.1
      _dont_buy_negative_stocks: False
`;
const CONFIGS = `configs:\n${ENTRY('price', 'open')}${ENTRY('logret', 'log_return_open')}`;
const SYMBOLS = ['SYN00', 'SYN01', 'SYN02', 'SYN03'];

describe('a log-return model through predict, evaluate, explain, forecast and trade', () => {
  let dir = '';
  const cli = (...args: string[]) => runCli(args, dir);
  const ok = async (args: string[]): Promise<CliRun> => {
    const r = await cli(...args);
    assert.equal(r.code, 0, `stockcast ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
    return r;
  };
  const models = () => new LocalObjectStore(join(dir, 'home', 'models'));
  const backfilled = once(() => ok(['backfill', '--symbols', SYMBOLS.join(','), '--features', 'open,day_of_week', '--start', '2020-01-01', '--end', '2020-12-31']));
  const trained = once(async () => {
    await backfilled();
    for (const id of ['price', 'logret']) await ok(['train', '--model-id', id, '--threads', '1']);
  });
  const predicted = once(async () => {
    await trained();
    for (const id of ['price', 'logret']) await ok(['predict', '--model-id', id]);
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sc-logret-'));
    await writeFile(join(dir, 'configs.yaml'), CONFIGS);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('predict: prices in the seed columns, the same current_y and y as the price model; the Parquet names the target', async () => {
    await predicted();
    const lr = await readPredictions(models(), predictionsKey('logret'), 'logret');
    const px = await readPredictions(models(), predictionsKey('price'), 'price');
    assert.equal(lr.modelTarget, 'log_return_open');
    assert.equal(px.modelTarget, 'open');
    assert.deepEqual(lr.symbols, px.symbols);
    assert.deepEqual([...lr.timestamps], [...px.timestamps]);
    assert.deepEqual([...lr.currentY], [...px.currentY], 'current_y is the open at decision time for both');
    assert.deepEqual([...lr.y], [...px.y], 'y is the realised open for both');
    // prices near the current price (a return would be ~0.01, and could be negative)
    for (let r = 0; r < lr.currentY.length; r++) {
      for (let k = 0; k < lr.horizon * 3; k++) {
        const ratio = lr.pred[r * lr.horizon * 3 + k]! / lr.currentY[r]!;
        assert.ok(ratio > 0.8 && ratio < 1.25, `row ${r}: forecast/current = ${ratio}`);
      }
    }
  });

  test('evaluate and explain run on the log-return model; its quantile loss is in prices, beside the naive forecast', async () => {
    await predicted();
    const e = JSON.parse((await ok(['evaluate', '--model-id', 'logret', '--json', '--num-stocks', '2', '--uncertainty', '0.1'])).stdout) as {
      runs: Array<{ finalMoney: number }>;
      forecastQuality: { quantileLoss: number; mae: number; naiveMae: number };
    };
    assert.ok(e.runs.every((r) => r.finalMoney > 10_000 && r.finalMoney < 50_000), JSON.stringify(e.runs));
    const q = e.forecastQuality;
    assert.ok(q.mae > q.naiveMae / 3 && q.mae < q.naiveMae * 3, `MAE ${q.mae} vs naive ${q.naiveMae}: both in dollars`);
    const x = JSON.parse((await ok(['explain', '--model-id', 'logret', '--json'])).stdout) as { encoderImportance: Record<string, number> };
    assert.ok(Math.abs(Object.values(x.encoderImportance).reduce((a, b) => a + b, 0) - 1) < 1e-4);
  });

  test('forecast: the buy list shows the open as current and price quantiles', async () => {
    await trained();
    const f = await ok(['forecast', '--model-id', 'logret', '--as-of', '2020-12-30']);
    const px = await ok(['forecast', '--model-id', 'price', '--as-of', '2020-12-30']);
    const currents = (out: string) => new Map([...out.matchAll(/^ {2}(SYN\d\d) +(\d+\.\d\d) +(\d+\.\d\d) +(\d+\.\d\d) +(\d+\.\d\d)/gm)].map((m) => [m[1]!, Number(m[2])]));
    const lr = currents(f.stdout);
    assert.equal(lr.size, 4, f.stdout);
    assert.deepEqual(lr, currents(px.stdout), 'the same current opens as the price model');
  });

  test('trade: the log-return and the price model size orders from the same prices (same quantities per symbol)', async () => {
    await trained();
    const orders = async (id: string) => {
      const r = await ok(['trade', '--model-id', id, '--broker', 'paper', '--now', '2021-01-04T15:00:00Z', '--execute']);
      return new Map([...r.stdout.matchAll(/^ {2}buy +(\S+) +qty +(-?[\d.]+) +filled ([\d.]+) @ ([\d.]+)/gm)].map((m) => [m[1]!, { qty: Number(m[2]), price: Number(m[4]) }]));
    };
    const lr = await orders('logret');
    const px = await orders('price');
    assert.deepEqual([...lr.keys()].sort(), SYMBOLS, 'all four symbols bought by the log-return model');
    assert.deepEqual([...px.keys()].sort(), SYMBOLS);
    for (const s of SYMBOLS) {
      const a = lr.get(s)!;
      const b = px.get(s)!;
      assert.ok(a.qty > 0, `${s}: quantity ${a.qty}`);
      // each model splits 25000 over 4 symbols at the day's price: same quantity, notional 6250 each
      assert.ok(Math.abs(a.qty - b.qty) <= 1e-6 * b.qty, `${s}: ${a.qty} vs ${b.qty}`);
      assert.ok(Math.abs(a.qty * a.price - 6250) < 1, `${s}: notional ${a.qty * a.price}`);
    }
  });
});
