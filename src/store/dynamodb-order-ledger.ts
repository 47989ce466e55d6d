import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LedgerOrder, LedgerRun, OrderLedger } from './order-ledger.js';

/** Options of the DynamoDB ledger. */
export interface DynamoLedgerOptions {
  table: string;
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * The seed's orders table in DynamoDB (partition key `model_id`, sort key `order_timestamp`,
 * `total_money_invested`, `orders` of symbol / quantity / order_type) plus the fields safe trading needs.
 */
export class DynamoDbOrderLedger implements OrderLedger {
  readonly name = 'dynamodb';
  private readonly raw: DynamoDBClient;
  private readonly doc: DynamoDBDocumentClient;

  constructor(private readonly o: DynamoLedgerOptions) {
    this.raw = new DynamoDBClient({ region: o.region, endpoint: o.endpoint, credentials: o.credentials });
    this.doc = DynamoDBDocumentClient.from(this.raw, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** Creates the table when it does not exist (local use and tests; production tables are provisioned). */
  async ensureTable(): Promise<void> {
    try {
      await this.raw.send(new DescribeTableCommand({ TableName: this.o.table }));
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw this.wrap('describe', err);
      await this.raw.send(
        new CreateTableCommand({
          TableName: this.o.table,
          KeySchema: [{ AttributeName: 'model_id', KeyType: 'HASH' }, { AttributeName: 'order_timestamp', KeyType: 'RANGE' }],
          AttributeDefinitions: [{ AttributeName: 'model_id', AttributeType: 'S' }, { AttributeName: 'order_timestamp', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    }
  }

  /** {@inheritDoc OrderLedger.putRun} */
  async putRun(run: LedgerRun): Promise<void> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.o.table, Item: toItem(run) }));
    } catch (err) {
      throw this.wrap('put', err);
    }
  }

  /** {@inheritDoc OrderLedger.latestRun} */
  async latestRun(modelId: string): Promise<LedgerRun | null> {
    return (await this.listRuns(modelId, 1))[0] ?? null;
  }

  /** {@inheritDoc OrderLedger.listRuns} */
  async listRuns(modelId: string, limit = 1000): Promise<LedgerRun[]> {
    try {
      const out: LedgerRun[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const r = await this.doc.send(
          new QueryCommand({ TableName: this.o.table, KeyConditionExpression: 'model_id = :m', ExpressionAttributeValues: { ':m': modelId }, ScanIndexForward: false, Limit: limit - out.length, ExclusiveStartKey: start }),
        );
        for (const item of r.Items ?? []) out.push(fromItem(item));
        start = r.LastEvaluatedKey;
      } while (start && out.length < limit);
      return out;
    } catch (err) {
      throw this.wrap('query', err);
    }
  }

  /** {@inheritDoc OrderLedger.listModels} */
  async listModels(): Promise<string[]> {
    const ids = new Set<string>();
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(new ScanCommand({ TableName: this.o.table, ProjectionExpression: 'model_id', ExclusiveStartKey: start }));
      for (const item of r.Items ?? []) ids.add(String(item.model_id));
      start = r.LastEvaluatedKey;
    } while (start);
    return [...ids].sort();
  }

  /** {@inheritDoc OrderLedger.close} */
  async close(): Promise<void> {
    this.raw.destroy();
  }

  private wrap(op: string, err: unknown): Error {
    return new Error(`DynamoDB ${op} on table ${this.o.table} failed: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
}

function toItem(r: LedgerRun): Record<string, unknown> {
  return {
    model_id: r.modelId,
    order_timestamp: r.orderTimestamp,
    run_date: r.runDate,
    total_money_invested: r.totalMoneyInvested,
    money_available: r.moneyAvailable,
    money_carried: r.moneyCarried,
    run_status: r.runStatus,
    reconciled_at: r.reconciledAt,
    broker: r.broker,
    started_at: r.startedAt,
    updated_at: r.updatedAt,
    orders: r.orders.map((o) => ({
      symbol: o.symbol,
      quantity: o.quantity,
      order_type: o.orderType,
      client_order_id: o.clientOrderId,
      status: o.status,
      filled_qty: o.filledQty,
      filled_avg_price: o.filledAvgPrice,
      broker_order_id: o.brokerOrderId,
      error: o.error,
    })),
  };
}

function fromItem(i: Record<string, unknown>): LedgerRun {
  return {
    modelId: String(i.model_id),
    orderTimestamp: String(i.order_timestamp),
    runDate: String(i.run_date ?? String(i.order_timestamp).slice(0, 10)),
    totalMoneyInvested: Number(i.total_money_invested ?? 0),
    moneyAvailable: Number(i.money_available ?? 0),
    ...(i.money_carried === undefined ? {} : { moneyCarried: Number(i.money_carried) }),
    runStatus: (i.run_status ?? 'complete') as LedgerRun['runStatus'],
    ...(typeof i.reconciled_at === 'string' ? { reconciledAt: i.reconciled_at } : {}),
    ...(typeof i.broker === 'string' ? { broker: i.broker } : {}),
    startedAt: String(i.started_at ?? i.order_timestamp),
    updatedAt: String(i.updated_at ?? i.order_timestamp),
    orders: ((i.orders as Array<Record<string, unknown>>) ?? []).map(
      (o): LedgerOrder => ({
        symbol: String(o.symbol),
        quantity: Number(o.quantity),
        orderType: o.order_type as LedgerOrder['orderType'],
        clientOrderId: String(o.client_order_id ?? ''),
        status: (o.status ?? 'filled') as LedgerOrder['status'],
        filledQty: Number(o.filled_qty ?? o.quantity ?? 0),
        filledAvgPrice: o.filled_avg_price === null || o.filled_avg_price === undefined ? null : Number(o.filled_avg_price),
        brokerOrderId: (o.broker_order_id as string | null) ?? null,
        ...(typeof o.error === 'string' ? { error: o.error } : {}),
      }),
    ),
  };
}
