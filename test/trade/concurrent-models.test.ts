import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DuckDbOrderLedger } from '../../src/store/duckdb-order-ledger.js';
import type { LedgerRun } from '../../src/store/order-ledger.js';
import { once, runCli, TINY_CONFIGS, type CliRun } from '../helpers/cli.js';
import { startTradingFake, type TradingFake } from '../fakes/alpaca-trading-fake.js';

// Real processes against one home: models trading at the same minute on one embedded ledger and one local paper
// broker while reports read, and a trade run killed after its order reached the broker, then the next day.

const MODELS = ['m1', 'm2', 'm3', 'm4'];
// 20000 each leaves the shared 100000 of the local paper broker some room: a market order fills at a price a
// little off the one it was sized at (here float32 forecasts against float64 opens), so four models buying with
// exactly all of it would see the last order refused for a cent
const configs = `configs:\n${['tiny', ...MODELS].map((id) => TINY_CONFIGS.slice('configs:\n'.length).replace('  tiny:', `  ${id}:\n    starting_money: 20000`)).join('')}`;

describe('several models on one ledger, and a killed run reconciled the next day (child processes)', () => {
  let dir = '';
  const home = () => join(dir, 'home');
  const ok = async (args: string[], env: Record<string, string> = {}): Promise<CliRun> => {
    const r = await runCli(args, dir, env);
    assert.equal(r.code, 0, `stockcast ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
    return r;
  };
  /** One model trained, its artifact copied to every model id (each trades it under its own id and config). */
  const trained = once(async () => {
    await ok(['backfill', '--source', 'synthetic', '--symbols', 'SYN00,SYN01,SYN02,SYN03', '--features', 'open,day_of_week', '--start', '2020-01-01', '--end', '2020-12-31']);
    await ok(['train', '--model-id', 'tiny', '--max-epochs', '1', '--threads', '1']);
    for (const id of [...MODELS, 'crashy']) {
      await mkdir(join(home(), 'models', id, 'output'), { recursive: true });
      await copyFile(join(home(), 'models', 'tiny', 'output', 'model.tar.gz'), join(home(), 'models', id, 'output', 'model.tar.gz'));
    }
  });
  const ledgerRuns = async (model: string): Promise<LedgerRun[]> => {
    const ledger = await DuckDbOrderLedger.open(join(home(), 'ledger.duckdb'), { readOnly: true });
    try {
      return await ledger.listRuns(model);
    } finally {
      await ledger.close();
    }
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sc-concurrent-'));
    await writeFile(join(dir, 'configs.yaml'), configs);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('4 models trade --execute at the same minute on one ledger while trade status and performance read: all complete, no order lost or doubled', async () => {
    await trained();
    for (const [day, now] of [['2021-01-04', '2021-01-04T15:00:00Z'], ['2021-01-05', '2021-01-05T15:00:00Z']] as const) {
      let running = true;
      const trades = Promise.all(MODELS.map((m) => runCli(['trade', '--model-id', m, '--broker', 'paper', '--now', now, '--execute', '--json'], dir))).finally(() => (running = false));
      const reads: CliRun[] = [];
      while (running) {
        reads.push(await runCli(['trade', 'status', '--now', now, '--json'], dir));
        reads.push(await runCli(['performance', '--json'], dir));
      }
      for (const [i, r] of (await trades).entries()) {
        assert.equal(r.code, 0, `${MODELS[i]} on ${day}:\n${r.stderr}`);
        assert.equal((JSON.parse(r.stdout) as { status: string }).status, 'complete');
      }
      assert.ok(reads.length >= 2);
      for (const r of reads) {
        assert.ok(r.code === 0 || r.code === 2, `a report read while the runs wrote failed (${r.code}):\n${r.stderr}`);
        JSON.parse(r.stdout);
      }
    }
    const paper = JSON.parse(await readFile(join(home(), 'paper-broker.json'), 'utf8')) as { orders: Record<string, { filledQty: number; side: string; symbol: string }> };
    let ledgerOrders = 0;
    for (const m of MODELS) {
      const [day2, day1] = await ledgerRuns(m);
      assert.deepEqual([day1!.runDate, day1!.runStatus, day2!.runDate, day2!.runStatus], ['2021-01-04', 'complete', '2021-01-05', 'complete'], m);
      const boughtDay1 = day1!.orders.filter((o) => o.orderType === 'buy').map((o) => `${o.symbol}:${o.filledQty}`).sort();
      assert.equal(boughtDay1.length, 2, `${m} bought its 2 picks`);
      assert.deepEqual(day2!.orders.filter((o) => o.orderType === 'sell').map((o) => `${o.symbol}:${o.filledQty}`).sort(), boughtDay1, `${m} sold exactly its own day-1 buys`);
      for (const o of [...day1!.orders, ...day2!.orders]) {
        ledgerOrders++;
        assert.equal(o.status, "filled", `${m} ${o.orderType} ${o.symbol}: ${o.error ?? ""}`);
        assert.equal(paper.orders[o.clientOrderId]?.filledQty, o.filledQty, `${o.clientOrderId} filled once at the broker, as recorded`);
      }
    }
    assert.equal(Object.keys(paper.orders).length, ledgerOrders, 'the broker has exactly the ledger’s orders: none lost, none doubled');
  });

  test('trade status, performance and reconcile read the ledger read-only: they work on a read-only home and change nothing', async () => {
    await trained();
    await ok(['trade', '--model-id', 'm1', '--broker', 'paper', '--now', '2021-01-06T15:00:00Z', '--execute']);
    const ledgerFile = join(home(), 'ledger.duckdb');
    const before = await readFile(ledgerFile);
    const filesBefore = await listing(home());
    // as root, permissions do not stop writes: run the readers as an unprivileged user instead (where that user can
    // read the project; otherwise the unchanged files below are what shows the readers write nothing)
    const asUser = process.getuid?.() === 0 && nobodyCanRunStockcast() ? { uid: 65534, gid: 65534 } : {};
    await chmod(dir, 0o755);
    await run(`chmod -R a+rX,a-w ${JSON.stringify(home())}`);
    try {
      const status = await runCli(['trade', 'status', '--now', '2021-01-06T16:00:00Z'], dir, {}, asUser);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /^m1 +2021-01-06 +complete +1 +2021-01-07 /m);
      const perf = await runCli(['performance'], dir, {}, asUser);
      assert.equal(perf.code, 0, perf.stderr);
      const reconcile = await runCli(['trade', 'reconcile', '--model-id', 'm2', '--broker', 'paper', '--now', '2021-01-06T16:00:00Z', '--json'], dir, {}, asUser);
      assert.equal(reconcile.code, 0, `${reconcile.stdout}\n${reconcile.stderr}`);
      assert.equal((JSON.parse(reconcile.stdout) as { consistent: boolean }).consistent, true);
    } finally {
      await run(`chmod -R u+w ${JSON.stringify(home())}`);
    }
    assert.deepEqual(await readFile(ledgerFile), before, 'the readers did not write the ledger');
    assert.deepEqual(await listing(home()), filesBefore, 'nor anything else in the home');
  });

  test('crash then next day, end to end: a run killed after its first order reached the broker; reconcile reports it (exit 1); the next day settles and sells it; reconcile agrees (exit 0)', async () => {
    await trained();
    const prices = { SYN00: 100, SYN01: 100, SYN02: 100, SYN03: 100 };
    const keys = { id: 'PKCRASH', secret: 'crash-secret-123' };
    const fake: TradingFake = await startTradingFake({ keys, prices, now: '2021-01-04T10:07:04-05:00', holdOrderAnswersMs: 60_000 });
    const env = { ALPACA_KEY: keys.id, ALPACA_SECRET: keys.secret, ALPACA_TRADING_URL: fake.url };
    try {
      let child: import('node:child_process').ChildProcess | undefined;
      // configs.yaml has no entry for crashy: the run uses the config stored with the trained model
      const killed = runCli(['trade', '--model-id', 'crashy', '--broker', 'alpaca', '--execute'], dir, env, { onSpawn: (c) => (child = c) });
      let exited = false;
      void killed.then(() => (exited = true));
      while (!fake.requests.some((r) => r.method === 'POST')) {
        if (exited) assert.fail(`the run ended before sending an order:\n${(await killed).stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      child!.kill('SIGKILL'); // the order exists at the broker; the run never heard back
      assert.equal((await killed).code, -1);
      assert.equal(fake.orders.length, 1);
      const [day1] = await ledgerRuns('crashy');
      assert.deepEqual(day1!.orders.map((o) => o.status), ['planned', 'planned'], 'the ledger knows nothing of the fill');

      const report = await runCli(['trade', 'reconcile', '--model-id', 'crashy', '--broker', 'alpaca', '--json'], dir, env);
      assert.equal(report.code, 1, report.stderr);
      const found = JSON.parse(report.stdout) as { consistent: boolean; differences: Array<{ kind: string; symbol: string }> };
      assert.equal(found.consistent, false);
      const sent = fake.orders[0]!.symbol;
      assert.deepEqual(found.differences.map((d) => `${d.kind}:${d.symbol}`).sort(), [`order:${sent}`, `position:${sent}`, `never_sent:${day1!.orders.find((o) => o.symbol !== sent)!.symbol}`].sort());

      fake.holdOrderAnswers(0);
      fake.setNow('2021-01-05T10:07:04-05:00');
      const day2 = await runCli(['trade', '--model-id', 'crashy', '--broker', 'alpaca', '--execute', '--json'], dir, env);
      assert.equal(day2.code, 0, day2.stderr);
      const out = JSON.parse(day2.stdout) as { status: string; reconciled: Array<{ symbol: string; to: { status: string } }>; run: LedgerRun };
      assert.equal(out.status, 'complete');
      assert.deepEqual(out.reconciled.map((c) => c.to.status).sort(), ['canceled', 'filled']);
      assert.deepEqual(out.run.orders.filter((o) => o.orderType === 'sell').map((o) => [o.symbol, o.quantity]), [[sent, Number(fake.orders[0]!.filled_qty)]], 'day 2 sells what day 1 really bought');
      assert.ok(!`${day2.stdout}${day2.stderr}`.includes(keys.secret));
      const agreed = await runCli(['trade', 'reconcile', '--model-id', 'crashy', '--broker', 'alpaca'], dir, env);
      assert.equal(agreed.code, 0, agreed.stdout);
      assert.match(agreed.stdout, /the ledger and the broker agree/);
      const elsewhere = await runCli(['trade', 'reconcile', '--model-id', 'crashy', '--broker', 'paper'], dir, env);
      assert.equal(elsewhere.code, 1);
      assert.match(elsewhere.stderr, /crashy trades on alpaca \(paper\), not paper-local \(local paper\): reconcile it against the broker its runs use/);
    } finally {
      await fake.close();
    }
  });
});

/** Every file under a folder with its size and modification time. */
async function listing(root: string): Promise<string[]> {
  const { readdir, stat } = await import('node:fs/promises');
  const out: string[] = [];
  for (const name of await readdir(root, { recursive: true })) {
    const st = await stat(join(root, name));
    if (st.isFile()) out.push(`${name} ${st.size} ${st.mtimeMs}`);
  }
  return out.sort();
}

/** Whether the unprivileged user 65534 can read the project's CLI and its node_modules. */
function nobodyCanRunStockcast(): boolean {
  const probe = `require('fs').accessSync(${JSON.stringify(fileURLToPath(import.meta.resolve('tsx')))}); require('fs').accessSync(${JSON.stringify(fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url)))})`;
  return spawnSync(process.execPath, ['-e', probe], { uid: 65534, gid: 65534 }).status === 0;
}

async function run(command: string): Promise<void> {
  const { execSync } = await import('node:child_process');
  execSync(command);
}
