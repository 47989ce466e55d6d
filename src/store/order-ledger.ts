/** The order ledger port: the seed's DynamoDB record per model run, plus what safe trading needs. */

/**
 * One order of a run. `planned`, `submitted` and `partially_filled` are unsettled (the broker may still act on
 * them); `filled`, `rejected` and `canceled` (including canceled or expired after a partial fill: see
 * `filledQty`) are final.
 */
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

/** Orders whose outcome at the broker is not yet recorded as final. */
export function isUnsettled(o: LedgerOrder): boolean {
  return o.status === 'planned' || o.status === 'submitted' || o.status === 'partially_filled';
}

/** One run of the daily workflow for one model (the seed's orders-table item). */
export interface LedgerRun {
  modelId: string;
  /** Sort key: the run's trading date at New-York midnight (ISO), so a re-run on the same day is the same record. */
  orderTimestamp: string;
  runDate: string;
  totalMoneyInvested: number;
  moneyAvailable: number;
  /** Money brought in from earlier runs, before this run's sells (absent on records written before it existed). */
  moneyCarried?: number;
  /** `failed`: an earlier day's run that stopped part-way; its orders were reconciled with the broker by a later run. */
  runStatus: 'planned' | 'selling' | 'buying' | 'complete' | 'failed';
  /** When a later run last settled this run's orders with the broker (reconciliation). */
  reconciledAt?: string;
  /** The broker the run traded on (`alpaca (paper)`, `paper-local (local paper)`; absent on older records). */
  broker?: string;
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
