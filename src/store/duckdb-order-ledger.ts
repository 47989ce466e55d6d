import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { LedgerRun, OrderLedger } from './order-ledger.js';

/** The embedded order ledger: one DuckDB database file; each run is one row written in a transaction. */
export class DuckDbOrderLedger implements OrderLedger {
  readonly name = 'embedded';

  private constructor(private readonly db: DuckDBConnection, private readonly instance: DuckDBInstance) {}

  /** Opens (creating if needed) the ledger file; `readOnly` opens an existing file for reading only (a viewer). */
  static async open(path: string, options: { readOnly?: boolean } = {}): Promise<DuckDbOrderLedger> {
    if (options.readOnly) {
      const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
      return new DuckDbOrderLedger(await instance.connect(), instance);
    }
    await mkdir(dirname(path), { recursive: true });
    const instance = await DuckDBInstance.create(path);
    const db = await instance.connect();
    await db.run(`CREATE TABLE IF NOT EXISTS runs (model_id VARCHAR, order_timestamp VARCHAR, record JSON, PRIMARY KEY (model_id, order_timestamp))`);
    return new DuckDbOrderLedger(db, instance);
  }

  /** {@inheritDoc OrderLedger.putRun} */
  async putRun(run: LedgerRun): Promise<void> {
    await this.db.run('BEGIN TRANSACTION');
    try {
      await this.db.run('INSERT OR REPLACE INTO runs VALUES ($1, $2, $3)', [run.modelId, run.orderTimestamp, JSON.stringify(run)]);
      await this.db.run('COMMIT');
    } catch (err) {
      await this.db.run('ROLLBACK');
      throw err;
    }
  }

  /** {@inheritDoc OrderLedger.latestRun} */
  async latestRun(modelId: string): Promise<LedgerRun | null> {
    return (await this.listRuns(modelId, 1))[0] ?? null;
  }

  /** {@inheritDoc OrderLedger.listRuns} */
  async listRuns(modelId: string, limit = 1000): Promise<LedgerRun[]> {
    const r = await this.db.runAndReadAll('SELECT record FROM runs WHERE model_id = $1 ORDER BY order_timestamp DESC LIMIT $2', [modelId, limit]);
    return r.getRows().map((row) => JSON.parse(String(row[0])) as LedgerRun);
  }

  /** {@inheritDoc OrderLedger.listModels} */
  async listModels(): Promise<string[]> {
    return (await this.db.runAndReadAll('SELECT DISTINCT model_id FROM runs ORDER BY model_id')).getRows().map((r) => String(r[0]));
  }

  /** {@inheritDoc OrderLedger.close} */
  async close(): Promise<void> {
    this.db.closeSync();
    this.instance.closeSync();
  }
}
