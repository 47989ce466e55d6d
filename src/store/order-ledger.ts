/** The order ledger port: the seed's DynamoDB record per model run, plus what safe trading needs. */

/** One order of a run. */
export interface LedgerOrder {
  symbol: string;
  quantity: number;
  orderType: 'buy' | 'sell';
  clientOrderId: string;
  status: 'planned' | 'submitted' | 'filled' | 'partially_filled' | 'rejected' | 'canceled';
  filledQty: number;
  filledAvgPrice: number | null;
  brokerOrderId: string | null;
  error?: string;
}

/** One run of the daily workflow for one model (the seed's orders-table item). */
export interface LedgerRun {
  modelId: string;
  /** Sort key: the run's trading date at New-York midnight (ISO), so a re-run on the same day is the same record. */
  orderTimestamp: string;
  runDate: string;
  totalMoneyInvested: number;
  moneyAvailable: number;
  runStatus: 'planned' | 'selling' | 'buying' | 'complete' | 'failed';
  orders: LedgerOrder[];
  startedAt: string;
  updatedAt: string;
}

/** Port for order ledgers (embedded DuckDB file, DynamoDB). */
export interface OrderLedger {
  readonly name: string;
  /** Inserts or replaces the run with this model id and order timestamp. */
  putRun(run: LedgerRun): Promise<void>;
  latestRun(modelId: string): Promise<LedgerRun | null>;
  /** Newest first. */
  listRuns(modelId: string, limit?: number): Promise<LedgerRun[]>;
  listModels(): Promise<string[]>;
  close(): Promise<void>;
}
