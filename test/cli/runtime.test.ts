import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRuntime } from '../../src/cli/runtime.js';
import { DynamoDbOrderLedger } from '../../src/store/dynamodb-order-ledger.js';
import type { LedgerRun } from '../../src/store/order-ledger.js';
import { startDynamoServer } from '../helpers/dynamo-server.js';
import { startTradingFake } from '../fakes/alpaca-trading-fake.js';

/** A runtime over a scratch directory with exactly these settings (no .env, nothing from the process). */
async function withRuntime(env: Record<string, string>, fn: (rt: Awaited<ReturnType<typeof openRuntime>>, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-runtime-'));
  const rt = await openRuntime({ cwd: dir, env: { STOCKCAST_HOME: join(dir, 'home'), ...env } });
  try {
    await fn(rt, dir);
  } finally {
    await rt.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const RUN: LedgerRun = {
  modelId: 'm-dynamo', orderTimestamp: '2024-07-01T04:00:00.000Z', runDate: '2024-07-01', totalMoneyInvested: 0, moneyAvailable: 25_000,
  runStatus: 'complete', orders: [], startedAt: '2024-07-01T14:00:00.000Z', updatedAt: '2024-07-01T14:01:00.000Z',
};

test('the ledger is the embedded DuckDB file by default, opened once and closed with the runtime', async () => {
  await withRuntime({}, async (rt, dir) => {
    const ledger = await rt.orderLedger();
    assert.equal(ledger.name, 'embedded');
    assert.equal(await rt.orderLedger(), ledger, 'one ledger per runtime');
    await access(join(dir, 'home', 'ledger.duckdb'));
  });
});

test("ORDERS_TABLE selects DynamoDB with the settings' endpoint, region and credentials", async () => {
  const server = await startDynamoServer();
  const seeded = new DynamoDbOrderLedger({ table: 'orders', region: 'eu-west-1', endpoint: server.endpoint, credentials: { accessKeyId: 'AKIALOCAL', secretAccessKey: 'local-secret' } });
  try {
    await seeded.ensureTable();
    await seeded.putRun(RUN);
    // credentials only through the seed's ACCESS_KEY / SECRET_ACCESS_KEY: the SDK's own chain has none here
    const env = { ORDERS_TABLE: 'orders', REGION_NAME: 'eu-west-1', AWS_ENDPOINT_URL_DYNAMODB: server.endpoint, ACCESS_KEY: 'AKIALOCAL', SECRET_ACCESS_KEY: 'local-secret' };
    await withRuntime(env, async (rt) => {
      const ledger = await rt.orderLedger();
      assert.equal(ledger.name, 'dynamodb');
      assert.deepEqual(await ledger.latestRun('m-dynamo'), RUN);
    });
  } finally {
    await seeded.close();
    await server.close();
  }
});

test('the broker: local paper without Alpaca keys; Alpaca paper at ALPACA_TRADING_URL with them; --broker paper wins over keys', async () => {
  await withRuntime({}, async (rt) => {
    const b = await rt.broker({});
    assert.equal(b.mode, 'local paper');
    await assert.rejects(rt.broker({ live: true }), /--live needs the Alpaca broker \(ALPACA_KEY\/ALPACA_SECRET\)/);
  });
  const fake = await startTradingFake({ keys: { id: 'PKRT', secret: 'rt-secret' }, prices: {}, cash: 1234.5 });
  try {
    await withRuntime({ ALPACA_KEY: 'PKRT', ALPACA_SECRET: 'rt-secret', ALPACA_TRADING_URL: fake.url }, async (rt) => {
      const alpaca = await rt.broker({});
      assert.equal(alpaca.mode, 'paper');
      assert.equal((await alpaca.getAccount()).cash, 1234.5, 'talks to ALPACA_TRADING_URL');
      assert.equal((await rt.broker({ kind: 'paper' })).mode, 'local paper');
      await assert.rejects(rt.broker({ live: true }), /live trading needs both the --live flag and live_trading: true/);
    });
  } finally {
    await fake.close();
  }
});

test('--broker alpaca without keys names the missing setting', async () => {
  await withRuntime({}, async (rt) => {
    await assert.rejects(rt.broker({ kind: 'alpaca' }), /missing setting ALPACA_KEY \(or APCA_API_KEY_ID\): set it in the environment or in \.env/);
  });
});

test("Alpaca's standard names: APCA_API_KEY_ID / APCA_API_SECRET_KEY select the Alpaca broker, APCA_API_BASE_URL its paper host", async () => {
  const fake = await startTradingFake({ keys: { id: 'PKAPCA', secret: 'apca-secret' }, prices: {}, cash: 777 });
  try {
    await withRuntime({ APCA_API_KEY_ID: 'PKAPCA', APCA_API_SECRET_KEY: 'apca-secret', APCA_API_BASE_URL: `${fake.url}/v2` }, async (rt) => {
      const alpaca = await rt.broker({});
      assert.equal(alpaca.mode, 'paper');
      assert.equal((await alpaca.getAccount()).cash, 777);
    });
  } finally {
    await fake.close();
  }
});

test('lock and home paths built from user input stay inside the home', async () => {
  await withRuntime({}, async (rt, dir) => {
    assert.equal(rt.lockPath('trade-tiny'), join(dir, 'home', 'locks', 'trade-tiny.lock'));
    assert.throws(() => rt.lockPath('trade-x/../../../victim/yarn'), /refusing path .*victim\/yarn\.lock: it lies outside .*home/);
    assert.throws(() => rt.homePath('reports', '../../x.html'), /it lies outside/);
  });
});
