import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerRun, OrderLedger } from '../../src/store/order-ledger.js';
import { DuckDbOrderLedger } from '../../src/store/duckdb-order-ledger.js';
import { DynamoDbOrderLedger } from '../../src/store/dynamodb-order-ledger.js';
import { startDynamoServer } from '../helpers/dynamo-server.js';

const run = (modelId: string, date: string, status: LedgerRun['runStatus'] = 'complete'): LedgerRun => ({
  modelId,
  orderTimestamp: `${date}T05:00:00.000Z`,
  runDate: date,
  totalMoneyInvested: 24_990.5,
  moneyAvailable: 25_000,
  runStatus: status,
  startedAt: `${date}T15:00:00.000Z`,
  updatedAt: `${date}T15:01:00.000Z`,
  orders: [
    { symbol: 'AAPL', quantity: 10.5, orderType: 'buy', clientOrderId: `sc-1-${date}-b-AAPL`, status: 'filled', filledQty: 10.5, filledAvgPrice: 190.1, brokerOrderId: 'o-1' },
    { symbol: 'MSFT', quantity: 2, orderType: 'buy', clientOrderId: `sc-1-${date}-b-MSFT`, status: 'rejected', filledQty: 0, filledAvgPrice: null, brokerOrderId: null, error: 'insufficient buying power' },
  ],
});

/** The contract every ledger adapter satisfies. */
function contract(name: string, open: () => Promise<{ ledger: OrderLedger; close(): Promise<void> }>): void {
  test(`${name}: upsert by model and timestamp, newest first, models listed, records exact`, async () => {
    const { ledger, close } = await open();
    try {
      assert.equal(await ledger.latestRun('m1'), null);
      await ledger.putRun(run('m1', '2024-07-01', 'selling'));
      await ledger.putRun(run('m1', '2024-07-01'));
      await ledger.putRun(run('m1', '2024-07-03'));
      await ledger.putRun(run('m2', '2024-07-02'));
      const runs = await ledger.listRuns('m1');
      assert.deepEqual(runs.map((r) => [r.runDate, r.runStatus]), [['2024-07-03', 'complete'], ['2024-07-01', 'complete']]);
      assert.deepEqual(await ledger.latestRun('m1'), run('m1', '2024-07-03'));
      assert.deepEqual(await ledger.listModels(), ['m1', 'm2']);
    } finally {
      await close();
    }
  });
}

contract('DuckDbOrderLedger', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-ledger-'));
  const ledger = await DuckDbOrderLedger.open(join(dir, 'ledger.duckdb'));
  return { ledger, close: async () => { await ledger.close(); await rm(dir, { recursive: true, force: true }); } };
});

contract('DynamoDbOrderLedger', async () => {
  const server = await startDynamoServer();
  const ledger = new DynamoDbOrderLedger({ table: 'orders_table', region: 'us-east-1', endpoint: server.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local-secret' } });
  await ledger.ensureTable();
  return { ledger, close: async () => { await ledger.close(); await server.close(); } };
});

test('the embedded ledger survives reopening', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-ledger-'));
  try {
    const a = await DuckDbOrderLedger.open(join(dir, 'l.duckdb'));
    await a.putRun(run('m1', '2024-07-01'));
    await a.close();
    const b = await DuckDbOrderLedger.open(join(dir, 'l.duckdb'));
    assert.equal((await b.latestRun('m1'))?.runDate, '2024-07-01');
    await b.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the DynamoDB item keeps the seed table shape', async () => {
  const server = await startDynamoServer();
  try {
    const { DynamoDBClient, ScanCommand } = await import('@aws-sdk/client-dynamodb');
    const ledger = new DynamoDbOrderLedger({ table: 'orders_table', region: 'us-east-1', endpoint: server.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local-secret' } });
    await ledger.ensureTable();
    await ledger.putRun(run('m1', '2024-07-01'));
    const raw = new DynamoDBClient({ region: 'us-east-1', endpoint: server.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local-secret' } });
    const item = (await raw.send(new ScanCommand({ TableName: 'orders_table' }))).Items![0]!;
    assert.equal(item.model_id!.S, 'm1');
    assert.equal(item.order_timestamp!.S, '2024-07-01T05:00:00.000Z');
    assert.equal(item.total_money_invested!.N, '24990.5');
    const first = item.orders!.L![0]!.M!;
    assert.deepEqual([first.symbol!.S, first.quantity!.N, first.order_type!.S, first.client_order_id!.S], ['AAPL', '10.5', 'buy', 'sc-1-2024-07-01-b-AAPL']);
    raw.destroy();
    await ledger.close();
  } finally {
    await server.close();
  }
});

test('a read-only embedded ledger reads every run and refuses writes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-ledger-'));
  try {
    const a = await DuckDbOrderLedger.open(join(dir, 'l.duckdb'));
    await a.putRun(run('m1', '2024-07-01'));
    await a.putRun(run('m2', '2024-07-02'));
    await a.close();
    const viewer = await DuckDbOrderLedger.open(join(dir, 'l.duckdb'), { readOnly: true });
    try {
      assert.deepEqual(await viewer.listModels(), ['m1', 'm2']);
      assert.deepEqual(await viewer.latestRun('m2'), run('m2', '2024-07-02'));
      await assert.rejects(viewer.putRun(run('m1', '2024-07-03')), /read-only/i);
    } finally {
      await viewer.close();
    }
    await assert.rejects(DuckDbOrderLedger.open(join(dir, "missing.duckdb"), { readOnly: true }), /no order ledger at /);
    assert.equal((await import("node:fs")).existsSync(join(dir, "missing.duckdb")), false, "a viewer never creates a ledger");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** Starts a process that holds the ledger file open for writing for `ms`; resolves once it holds it. */
async function holdLedger(path: string, ms: number): Promise<{ done: Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const code = `import('@duckdb/node-api').then(async ({ DuckDBInstance }) => {
    const i = await DuckDBInstance.create(':memory:'); const c = await i.connect();
    await c.run(${JSON.stringify(`ATTACH '${path}' AS l`)}); process.stdout.write('held\\n');
    setTimeout(async () => { await c.run('DETACH l'); process.exit(0); }, ${ms});
  })`;
  const child = spawn(process.execPath, ['-e', code], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return { done: new Promise((r) => child.once('exit', () => r())) };
}

test('the embedded ledger is held only per operation: while another process holds the file, reads and writes wait their turn', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-ledger-'));
  const path = join(dir, 'l.duckdb');
  try {
    const writer = await DuckDbOrderLedger.open(path);
    await writer.putRun(run('m1', '2024-07-01'));
    const holder = await holdLedger(path, 400);
    // a single attempt would fail with DuckDB's "Could not set lock"; these wait for the other process
    await writer.putRun(run('m1', '2024-07-02'));
    const viewer = await DuckDbOrderLedger.open(path, { readOnly: true });
    assert.deepEqual((await viewer.listRuns('m1')).map((r) => r.runDate), ['2024-07-02', '2024-07-01']);
    await holder.done;

    const impatient = await DuckDbOrderLedger.open(path, { busyTimeoutMs: 100 });
    const long = await holdLedger(path, 3000);
    await assert.rejects(impatient.putRun(run('m1', '2024-07-03')), /the order ledger .*l\.duckdb stayed busy for 100 ms \(another process holds it\): .*Could not set lock/);
    await long.done;
    await Promise.all([writer.close(), viewer.close(), impatient.close()]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
