import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from '../helpers/cli.js';
import { cliSession, tinyConfigEntry } from '../helpers/tiny-model.js';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { predictionsKey, readPredictions } from '../../src/store/predictions-parquet.js';
import type { ModelSummary } from '../../src/pipeline/model-catalog.js';

// A log-return model and a price model trained on the same synthetic data, run through every command as a user
// would: the log-return model's quantiles must reach strategies and orders as prices. Then the price model is
// trained again: the artifact it replaces is kept, and `stockcast models` reports both models and the version.
// (One scratch home for both, so the models are backfilled and trained once.)

const CONFIGS = `configs:\n${tinyConfigEntry('price', { features: ['open', 'day_of_week'], stocks: 4 })}${tinyConfigEntry('logret', { target: 'log_return_open', features: ['open', 'day_of_week'], stocks: 4 })}`;
const SYMBOLS = ['SYN00', 'SYN01', 'SYN02', 'SYN03'];

describe('a log-return model through predict, evaluate, explain, forecast and trade; model versions and `stockcast models`', () => {
  let dir = '';
  const { cli, ok } = cliSession(() => dir);
  const models = () => new LocalObjectStore(join(dir, 'home', 'models'));
  const backfilled = once(() => ok(['backfill', '--source', 'synthetic', '--symbols', SYMBOLS.join(','), '--features', 'open,day_of_week', '--start', '2020-01-01', '--end', '2020-12-31']));
  const trained = once(async () => {
    await backfilled();
    for (const id of ['price', 'logret']) await ok(['train', '--model-id', id, '--threads', '1']);
  });
  const predicted = once(async () => {
    await trained();
    for (const id of ['price', 'logret']) await ok(['predict', '--model-id', id]);
  });
  const evaluated = once(async () => {
    await predicted();
    const r = await ok(['evaluate', '--model-id', 'logret', '--json', '--num-stocks', '2', '--uncertainty', '0.1']);
    return JSON.parse(r.stdout) as { runs: Array<{ finalMoney: number }>; forecastQuality: { quantileLoss: number; mae: number; naiveMae: number } };
  });
  const artifact = (id: string) => join(dir, 'home', 'models', id, 'output', 'model.tar.gz');
  const sha = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');
  /** The price model trained again, longer: other weights replace the first artifact. */
  const retrained = once(async () => {
    await trained();
    const first = await sha(artifact('price'));
    return { first, run: await ok(['train', '--model-id', 'price', '--max-epochs', '2', '--threads', '1']) };
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
    const e = await evaluated();
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
  test('train again: the previous artifact is kept under versions/<timestamp>, byte for byte, and the log says where', async () => {
    const { first, run } = await retrained();
    const kept = /the artifact it replaces is kept at file:\/\/.*\/(price\/versions\/(\d{4}-\d\d-\d\dT[\d-]+Z)\/model\.tar\.gz)/.exec(run.stderr);
    assert.ok(kept, run.stderr);
    assert.equal(await sha(join(dir, 'home', 'models', kept[1]!)), first);
    assert.notEqual(await sha(artifact('price')), first, 'the output holds the new model');
  });

  test('models --json: config, target, data range, losses beside naive, the test-range quantile loss of evaluate, versions', async () => {
    const e = await evaluated();
    const { first } = await retrained();
    const { location, models: listed } = JSON.parse((await ok(['models', '--json'])).stdout) as { location: string; models: ModelSummary[] };
    assert.match(location, /^file:\/\/.*\/home\/models$/);
    assert.deepEqual(listed.map((m) => m.modelId), ['logret', 'price']);
    const [lr, px] = listed as [ModelSummary, ModelSummary];
    assert.deepEqual([lr.artifact!.configId, lr.artifact!.target, px.artifact!.configId, px.artifact!.target], ['logret', 'log_return_open', 'price', 'open']);
    assert.deepEqual(lr.artifact!.dataRange, { first: '2020-01-02', last: '2020-12-31', symbols: 4 });
    assert.ok(lr.artifact!.bestValLoss! > 0 && lr.artifact!.bestValLoss! < 0.1, 'a log-return model\'s loss is in log-return units');
    assert.ok(px.artifact!.naiveValLoss! > 0.1, 'a price model\'s is in dollars');
    assert.equal(lr.evaluation!.quantileLoss, e.forecastQuality.quantileLoss);
    assert.ok(lr.evaluation!.naiveQuantileLoss! > 0);
    assert.deepEqual(lr.versions, []);
    assert.equal(px.artifact!.epochs, 2);
    assert.deepEqual(px.versions.map((v) => [v.sha256, v.epochs]), [[first, 1]]);
  });

  test('models: a table; --model-id: one model with its versions; a foreign artifact is listed with its reason; an unknown id is an error', async () => {
    await retrained();
    await mkdir(join(dir, 'home', 'models', 'old-seed', 'output'), { recursive: true });
    await writeFile(join(dir, 'home', 'models', 'old-seed', 'output', 'model.tar.gz'), 'PK\u0003\u0004 not a tarball');
    const table = await ok(['models']);
    assert.match(table.stdout, /^model +config +target +data +val loss \(naive\) +test QL \(naive\) +versions$/m);
    assert.match(table.stdout, /^logret +logret +log_return_open +2020-01-02\.\.2020-12-31 +\d+\.\d{4} \(\d+\.\d{4}\) +\d+\.\d{4} \(\d+\.\d{4}\) +0$/m);
    assert.match(table.stdout, /^price +price +open +2020-01-02\.\.2020-12-31 +\d+\.\d{4} \(\d+\.\d{4}\) +— +1$/m);
    assert.match(table.stdout, /^old-seed .*\n {2}! not a readable \.tar\.gz archive/m);
    const one = await ok(['models', '--model-id', 'price']);
    assert.match(one.stdout, /^versions \(oldest first; each kept when training replaced it\):$/m);
    assert.match(one.stdout, /^ {4}trained +.*, 1 epoch\(s\) on 2020-01-02\.\.2020-12-31 \(4 symbols\)$/m);
    const unknown = await cli('models', '--model-id', 'nope');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no model "nope" in file:.*: the store holds logret, old-seed, price/);
  });
});
