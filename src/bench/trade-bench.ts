import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTimeFrame } from '../core/time-frame.js';
import { CsvBarsSource } from '../sources/csv-bars.js';
import { barsToBatch } from '../features/feature-rows.js';
import { getConfig, parseConfigText } from '../config/seed-config.js';
import type { Bar } from '../core/types.js';
import { availableParallelism } from 'node:os';
import { LocalObjectStore } from '../store/local-object-store.js';
import { ParquetFeatureStore } from '../store/parquet-feature-store.js';
import type { FeatureStore } from '../store/feature-store.js';
import { trainModel } from '../pipeline/train-model.js';
import { initBackend, type BackendName } from '../model/backend.js';

const MODEL_ID = 'bench-trade';
const REAL = ['open', 'high', 'low', 'close', 'volume'];
const TIME = ['year', 'month', 'day_of_month', 'day_of_week'];
/** The benchmark protocol's frame and the favourite config's sizes; trained one epoch on a tenth of the symbols (the trade run's cost does not depend on training quality). */
const CONFIG_YAML = `
configs:
  ${MODEL_ID}:
    features: [open, high, low, close, volume, year, month, day_of_month, day_of_week]
    train_start: "2018-03-01"
    train_end: "2018-10-01"
    val_end: "2018-11-01"
    test_end: "2018-12-31"
    max_lookback_period: 60
    max_prediction_length: 2
    batch_size: 512
    hidden_size: 32
    attention_head_size: 4
    dropout: 0.1
    hidden_continuous_size: 16
    lstm_layers: 1
    learning_rate: 0.001
    max_epochs: 1
    time_frame_unit: 'Day'
    time_frame_amount: 1
    reduce_on_plateau_patience: 5
    preferred_trading_strategy: _performance_test_1
    _performance_test_1:
      _test_strategy: SimpleXDaysAheadBuying
      _interval_days: 1
      _num_stocks_purchased: 10
      _capital_gains_tax: 0.35
      _uncertainty_multiplier: 0.1
      _compound_money: True
      _dont_buy_negative_stocks: False
`;
const FIRST_DAY = '2018-12-28';
const SECOND_DAY = '2018-12-31';
/** Settings that would send the benchmark to the cloud; it runs on the embedded defaults only. */
const CLOUD_VARIABLES = ['S3_BUCKET_NAME', 'S3_MODEL_OUTPUT_BUCKET_NAME', 'ORDERS_TABLE', 'ALPACA_KEY', 'ALPACA_SECRET'];

/**
 * One daily trade run over every symbol of the S&P 500 CSV: a warm local feature store, a trained favourite-sized
 * model, the local paper broker. Times two whole `stockcast trade --execute` commands as a user runs them: the
 * first run (buys only) and the steady-state run the day after (sells, then buys).
 */
export async function benchTrade(opts: { data: string; backend?: string }): Promise<Record<string, unknown>> {
  const data = resolve(opts.data);
  const dir = await mkdtemp(join(tmpdir(), 'stockcast-bench-trade-'));
  const saved = { cwd: process.cwd(), env: { ...process.env } };
  try {
    process.chdir(dir); // no project .env reaches the benchmark
    const home = join(dir, 'home');
    process.env.STOCKCAST_HOME = home;
    for (const v of CLOUD_VARIABLES) delete process.env[v];
    await writeFile(join(dir, 'configs.yaml'), CONFIG_YAML);
    const config = getConfig(parseConfigText(CONFIG_YAML, 'configs.yaml'), MODEL_ID);

    const t0 = performance.now();
    const source = new CsvBarsSource(data);
    const { bars: all } = await source.fetchBars({ symbols: await source.listSymbols(), start: new Date('2018-01-01T00:00:00Z'), end: new Date('2019-01-01T00:00:00Z'), timeFrame: parseTimeFrame('1Day') });
    // the symbols still listed on the last day: a trade run leaves out (and would try to refresh) ones that stopped
    const bars = new Map([...all].filter(([, b]) => b.some((x) => dayOf(x) === SECOND_DAY)));
    const symbols = [...bars.keys()];
    await withStore(home, (store) => store.write({ ...barsToBatch(barsUpTo(bars, FIRST_DAY), REAL, TIME, parseTimeFrame('1Day'), new Date()), source: source.name }));
    const tStore = performance.now();
    const backend = await initBackend((opts.backend ?? 'auto') as BackendName | 'auto');
    await withStore(home, (features) =>
      trainModel({ config, modelId: MODEL_ID, features, models: new LocalObjectStore(join(home, 'models')), home, backend, symbols: symbols.filter((_, i) => i % 10 === 0), threads: Math.min(2, availableParallelism()) }),
    );
    const tTrain = performance.now();

    const first = tradeCommand(dir, FIRST_DAY, opts.backend);
    // the store is kept warm by a daily backfill: add the next day's bars as that backfill would
    const next = new Map([...bars].map(([s, b]) => [s, b.filter((x) => dayOf(x) === SECOND_DAY)] as const));
    await withStore(home, (store) => store.write({ ...barsToBatch(next, REAL, TIME, parseTimeFrame('1Day'), new Date()), source: source.name }));
    const second = tradeCommand(dir, SECOND_DAY, opts.backend);
    return {
      symbols: symbols.length,
      storeSetupSeconds: round((tStore - t0) / 1000),
      trainSeconds: round((tTrain - tStore) / 1000),
      firstRun: first,
      steadyStateRun: second,
      target: { tradeRunSeconds: 10 },
    };
  } finally {
    process.chdir(saved.cwd);
    process.env = saved.env;
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs `stockcast trade --execute` on the local paper broker as a child process; returns its wall time and orders. */
function tradeCommand(cwd: string, day: string, backend?: string): Record<string, unknown> {
  const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');
  const args = [main, 'trade', '--model-id', MODEL_ID, '--broker', 'paper', '--execute', '--now', `${day}T15:00:00Z`, ...(backend ? ['--backend', backend] : [])];
  const t0 = performance.now();
  const res = spawnSync(process.execPath, args, { cwd, env: process.env, encoding: 'utf8' });
  const seconds = round((performance.now() - t0) / 1000);
  if (res.status !== 0) throw new Error(`trade on ${day} failed (exit ${res.status}):\n${res.stderr}`);
  const orders = (kind: string) => res.stdout.split('\n').filter((l) => l.trimStart().startsWith(kind) && l.includes(' filled')).length;
  const forecast = /forecast (\d+) symbols/.exec(res.stderr);
  return { day, seconds, symbolsForecast: forecast ? Number(forecast[1]) : null, filledBuys: orders('buy '), filledSells: orders('sell ') };
}

/** Opens the embedded feature store of a stockcast home (as the CLI does without S3), runs `fn`, closes it. */
async function withStore<T>(home: string, fn: (store: FeatureStore) => Promise<T>): Promise<T> {
  const store = await ParquetFeatureStore.open({ objects: new LocalObjectStore(join(home, 'store')), prefix: 'historical_data_v2' });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Bars of each symbol up to and including `day`. */
function barsUpTo(bars: Map<string, Bar[]>, day: string): Map<string, Bar[]> {
  return new Map([...bars].map(([s, b]) => [s, b.filter((x) => dayOf(x) <= day)] as const));
}

function dayOf(bar: Bar): string {
  return bar.timestamp.toISOString().slice(0, 10);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
