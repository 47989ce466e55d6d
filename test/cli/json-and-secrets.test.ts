import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once, runCli, TINY_CONFIGS, type CliRun } from '../helpers/cli.js';
import { HttpFake } from '../fakes/http-fake.js';
import { evaluationJson } from '../../src/cli/evaluate-output.js';
import type { StoredEvaluation } from '../../src/pipeline/results-store.js';

// Every reporting command run as a user would, twice over: `--json` must print exactly one JSON document of the
// documented shape on stdout (the stored shapes where the dashboard reads the same file), and no registered
// secret may appear anywhere in any command's stdout or stderr. The secrets are chosen to be values the commands
// would otherwise print — a symbol (SYN01) and a feature name (day_of_week) — so a single output path that skips
// the mask fails this test; a real-looking key is echoed back by a fake server inside an error body as well.

const SECRETS = {
  ALPACA_SECRET: 'SYN01',
  SECRET_ACCESS_KEY: 'day_of_week',
  TELEGRAM_BOT_TOKEN: '123456:scan-token-QWERTY',
};
const SECRET_VALUES = Object.values(SECRETS);

/** Fails when any registered secret, or any 6-character prefix of the long one, appears in a run's output. */
function assertNoSecret(run: CliRun, what: string): void {
  const all = `${run.stdout}\n${run.stderr}`;
  for (const s of SECRET_VALUES) assert.ok(!all.includes(s), `${what} printed the secret ${s}:\n${all.slice(0, 2000)}`);
  assert.ok(!all.includes('scan-token'), `${what} printed a fragment of the token`);
}

describe('--json on every reporting command, and no secret in any output', () => {
  let dir = '';
  const cli = async (what: string, ...args: string[]): Promise<CliRun> => {
    const r = await runCli(args, dir, SECRETS);
    assertNoSecret(r, `stockcast ${args.join(' ')}`);
    assert.equal(r.code, 0, `${what}: stockcast ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
    return r;
  };
  /** A command's stdout parsed as one JSON document (so nothing else may be on stdout). */
  const json = async <T>(...args: string[]): Promise<T> => {
    const r = await cli('json', ...args, '--json');
    try {
      return JSON.parse(r.stdout) as T;
    } catch (err) {
      throw new Error(`stockcast ${args.join(' ')} --json printed more than one JSON document: ${(err as Error).message}\n${r.stdout.slice(0, 500)}`);
    }
  };
  const storedFile = async (key: string): Promise<unknown> => JSON.parse(await readFile(join(dir, 'home', 'models', ...key.split('/')), 'utf8'));

  const backfilled = once(() => json<Record<string, unknown>>('backfill', '--source', 'synthetic', '--symbols', 'SYN00,SYN01,SYN02', '--features', 'open,day_of_week', '--start', '2020-01-01', '--end', '2020-12-31', '--chunk-size', '2'));
  const trained = once(async () => (await backfilled(), json<Record<string, unknown>>('train', '--model-id', 'tiny', '--max-epochs', '1', '--threads', '1')));
  const predicted = once(async () => (await trained(), json<Record<string, unknown>>('predict', '--model-id', 'tiny')));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sc-json-'));
    await writeFile(join(dir, 'configs.yaml'), TINY_CONFIGS);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('backfill --json: the request, rows per feature, steps and failures; the human summary masks too', async () => {
    const b = await backfilled();
    assert.deepEqual(Object.keys(b).sort(), ['endDate', 'failures', 'features', 'noData', 'ok', 'seconds', 'source', 'startDate', 'steps', 'store', 'symbols', 'timeFrame']);
    assert.equal(b.source, 'synthetic');
    assert.equal(b.symbols, 3);
    assert.equal(b.ok, true);
    assert.deepEqual(b.steps, { total: 2, skipped: 0 });
    const features = b.features as Array<{ feature: string; received: number; written: number }>;
    assert.equal(features.length, 2);
    const open = features.find((f) => f.feature === 'open')!;
    assert.equal(open.received, 3 * 253, 'three symbols × the 253 NYSE trading days of 2020');
    assert.equal(open.written, open.received);
    assert.ok(features.some((f) => f.feature === '****'), 'the feature named like a secret is masked in JSON too');
    const again = await cli('human', 'backfill', '--source', 'synthetic', '--symbols', 'SYN00,SYN01,SYN02', '--features', 'open,day_of_week', '--start', '2020-01-01', '--end', '2020-12-31', '--chunk-size', '2');
    assert.match(again.stdout, /^open\s+759\s+0$/m, 'the human summary: nothing new written');
  });

  test('train --json: how it stopped, the loss per epoch beside the naive loss, and the artifact', async () => {
    const t = await trained();
    assert.equal(t.modelId, 'tiny');
    assert.equal(t.stoppedBy, 'max_epochs');
    assert.equal(t.epochs, 1);
    assert.equal(t.bestEpoch, 0);
    assert.equal(typeof t.bestValLoss, 'number');
    assert.equal(typeof t.naiveValLoss, 'number');
    assert.equal(t.beatsNaive, (t.bestValLoss as number) < (t.naiveValLoss as number));
    assert.deepEqual(t.artifact, { key: 'tiny/output/model.tar.gz', location: `file://${join(dir, 'home', 'models')}/tiny/output/model.tar.gz` });
    const history = t.history as Array<Record<string, number>>;
    assert.equal(history.length, 1);
    assert.deepEqual(Object.keys(history[0]!).sort(), ['epoch', 'learningRate', 'seconds', 'trainLoss', 'valLoss']);
    assert.equal(history[0]!.valLoss, t.bestValLoss);
  });

  test('predict --json: where the predictions went and what they cover', async () => {
    const p = await predicted();
    assert.equal(p.key, 'tiny/output/predictions.parquet');
    assert.equal(p.symbols, 3);
    assert.equal(p.windows, (p.symbols as number) * (p.days as number), 'one window per symbol and decision day');
    assert.equal(p.firstDecision, '2020-09-30T04:00:00.000Z', 'the last trading day before val_end 2020-10-01 decides the first test forecast (New-York midnight)');
    assert.ok(String(p.lastDecision) > String(p.firstDecision));
  });

  test('evaluate --json prints the stored evaluation the dashboard reads, without its long series', async () => {
    await predicted();
    const e = await json<{ format: string; runs: unknown[]; forecastQuality: { nominalCoverage: number } }>('evaluate', '--model-id', 'tiny', '--num-stocks', '1,2', '--uncertainty', '0.1', '--cost-bps', '5');
    assert.equal(e.format, 'stockcast-evaluation/1');
    assert.equal(e.runs.length, 4);
    // the stored document without its long series (equity curves, daily IC), masked as every output is
    const stored = evaluationJson((await storedFile('tiny/output/evaluation.json')) as StoredEvaluation);
    assert.deepEqual(e, JSON.parse(JSON.stringify(stored).replaceAll('"SYN01"', '"****"')));
  });

  test('explain --json prints the stored explanation', async () => {
    await trained();
    const x = await json<{ format: string; split: string; encoderImportance: Record<string, number> }>('explain', '--model-id', 'tiny', '--split', 'val');
    assert.equal(x.format, 'stockcast-explanation/1');
    assert.equal(x.split, 'val');
    assert.deepEqual(Object.keys(x.encoderImportance).sort(), ['****', 'open'], 'day_of_week is a registered secret here, masked in keys too');
    const human = await cli('human', 'explain', '--model-id', 'tiny');
    assert.match(human.stdout, /encoder variable importance:/);
    // the HTML reports are masked too (the explanation names every feature, day_of_week among them)
    for (const report of ['tiny-explain.html', 'tiny.html']) {
      const html = await readFile(join(dir, 'home', 'reports', report), 'utf8').catch(() => '');
      for (const secret of SECRET_VALUES) assert.ok(!html.includes(secret), `${report} holds ${secret}`);
    }
    assert.match(await readFile(join(dir, 'home', 'reports', 'tiny-explain.html'), 'utf8'), /\*\*\*\*/);
  });

  test('forecast --json prints the stored forecast of that day; human output and trade, trade status, performance mask too', async () => {
    await trained();
    const f = await json<{ format: string; asOf: string; symbols: Array<{ symbol: string; forecast: number[][] }>; buyList: { picks: unknown[] } }>('forecast', '--model-id', 'tiny', '--as-of', '2020-12-15');
    assert.equal(f.format, 'stockcast-forecast/1');
    assert.equal(f.asOf, '2020-12-15');
    assert.deepEqual(f.symbols.map((s) => s.symbol).sort(), ['****', 'SYN00', 'SYN02']);
    assert.equal(f.symbols[0]!.forecast.length, 2, 'two horizon steps');
    const stored = (await storedFile('tiny/output/forecasts/2020-12-15.json')) as { symbols: Array<{ symbol: string; forecast: number[][] }> };
    assert.deepEqual(f.symbols.map((s) => s.forecast), stored.symbols.map((s) => s.forecast));
    await cli('human', 'forecast', '--model-id', 'tiny');
    const plan = await cli('human', 'trade', '--model-id', 'tiny', '--broker', 'paper', '--now', '2021-01-04T15:00:00Z', '--execute');
    assert.match(plan.stdout, /buy /);
    await cli('human', 'trade', 'status', '--now', '2021-01-05T14:00:00Z');
    await cli('human', 'performance');
  });

  test('an error body that echoes the keys, cut at 200 characters, is printed with the keys masked whole', async () => {
    const key = 'PKSCAN0123456789';
    const secret = 'scan-secret-abcdefghijklmnop';
    // a server that echoes the key headers in a 400 body, the secret straddling the 200-character cut
    const fake = await new HttpFake((req) => ({ status: 400, raw: `${'x'.repeat(190)}${String(req.headers['apca-api-secret-key'])} key ${String(req.headers['apca-api-key-id'])}` })).start();
    try {
      const r = await runCli(['backfill', '--source', 'alpaca', '--symbols', 'AAPL', '--features', 'open', '--start', '2024-01-02', '--end', '2024-01-05'], dir, {
        APCA_API_KEY_ID: key,
        APCA_API_SECRET_KEY: secret,
        ALPACA_DATA_URL: fake.url,
      });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /AAPL: GET http:\/\/127\.0\.0\.1:\d+\/v2\/stocks\/bars: HTTP 400 x+\*/);
      const all = `${r.stdout}${r.stderr}`;
      for (let n = 6; n <= secret.length; n++) assert.ok(!all.includes(secret.slice(0, n)), `a fragment of the secret leaked: ${secret.slice(0, n)}`);
      assert.ok(!all.includes(key), 'the key id never printed');
      assert.equal(fake.requests[0]?.headers['apca-api-key-id'], key, "Alpaca's standard variable names are used");
    } finally {
      await fake.close();
    }
  });
});
