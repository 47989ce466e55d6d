import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathInside } from '../core/path-inside.js';
import { exportAwsEnvironment, resolveRegion } from './aws-setup.js';
import type { MarketDataSource, PriceAdjustment } from '../sources/market-data-source.js';
import type { EarningsSource } from '../sources/earnings-source.js';
import type { ObjectStore } from '../store/object-store.js';
import type { FeatureStore } from '../store/feature-store.js';
import type { OrderLedger } from '../store/order-ledger.js';
import type { Broker } from '../broker/broker.js';
import type { Notifier } from '../adapters/notify/notifier.js';
import { loadSettings, type Settings } from '../config/settings.js';
import { prepareHome } from '../core/stockcast-home.js';

/** Bar sources the CLI can pick by name. */
export const SOURCE_NAMES = ['synthetic', 'csv', 'alpaca', 'yahoo'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

/** Which broker a trade run talks to, and how far it may go. */
export interface BrokerChoice {
  /** `alpaca` (paper unless live), `paper` (local, offline); default: alpaca when ALPACA_KEY is set. */
  kind?: 'alpaca' | 'paper';
  live?: boolean;
  /** The config's live_trading: live orders need it and `live` both. */
  liveConfirmed?: boolean;
  /** Simulated time for the local paper broker. */
  now?: Date;
}

/**
 * The one wiring module: it picks adapters from settings (local directory or S3, synthetic or real sources,
 * embedded or DynamoDB ledger, Alpaca or local paper broker, tensor backend) and imports each lazily, so an
 * offline run never loads the AWS SDK. Everything it opens, close() closes.
 */
export interface Runtime {
  settings: Settings;
  /** The local data directory (STOCKCAST_HOME). */
  home: string;
  /** Where features live, for messages (never holds credentials). */
  featureLocation: string;
  objectStore(): Promise<ObjectStore>;
  featureStore(): Promise<FeatureStore>;
  /** Where model artifacts live: S3_MODEL_OUTPUT_BUCKET_NAME, or `<home>/models`. */
  modelStore(): Promise<ObjectStore>;
  barSource(name: SourceName, options?: { csvPath?: string; adjust?: PriceAdjustment }): Promise<MarketDataSource>;
  /** The VIX for market covariates: an index CSV (DATE, OPEN, HIGH, LOW, CLOSE) when given, else Yahoo's ^VIX. */
  vixSource(csvPath?: string): Promise<MarketDataSource>;
  /** `nasdaq`, `csv` (needs `csvPath`) or `synthetic`. */
  earningsSource(name: string, options?: { csvPath?: string }): Promise<EarningsSource>;
  defaultSymbols(name: SourceName, source: MarketDataSource): Promise<string[]>;
  unavailableBarFeatures(name: SourceName): string[];
  /** The order ledger: the DynamoDB table ORDERS_TABLE (the settings' endpoint, region, credentials), else `<home>/ledger.duckdb`. */
  orderLedger(): Promise<OrderLedger>;
  /** A separate ledger handle the caller closes; `readOnly` opens an existing embedded file for viewing, or null when there is none. */
  openLedger(options: { readOnly: true }): Promise<OrderLedger | null>;
  /** The broker: Alpaca (paper unless live and confirmed) when chosen or keyed, else the local paper broker. */
  broker(choice: BrokerChoice): Promise<Broker>;
  /**
   * Initialises the tensor backend and returns the one in use: `auto` is the native engine where it is built and
   * the command can run on it (`support.native`), else wasm.
   */
  tensorBackend(name: string, support?: { native?: boolean }): Promise<string>;
  /**
   * Alert channels: a JSON webhook at `url` (`--notify <url>`) and at STOCKCAST_NOTIFY_URL, and Telegram when
   * TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID are set (TELEGRAM_API_URL for another host). Empty when none is set.
   */
  notifiers(url?: string): Promise<Notifier[]>;
  /** A lock file under `<home>/locks` (checked to stay inside the home: `name` may come from a model id). */
  lockPath(name: string): string;
  /** A path under the home built from user input (a report named after a model id, …), checked to stay inside it. */
  homePath(...segments: string[]): string;
  /** The folder of run locks, `<home>/locks`. */
  locksDir: string;
  close(): Promise<void>;
}

/** How a runtime finds its settings. */
export interface RuntimeOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The `.env` to read (default `<cwd>/.env`, or the CLI's `--env-file`); an explicitly named one must exist. */
  envFile?: string;
}

let cliEnvFile: string | undefined;
const warned = new Set<string>();

/** The CLI's `--env-file`, set once before a command runs: every runtime the command opens reads that file. */
export function useEnvFile(path: string | undefined): void {
  cliEnvFile = path;
}

/** The settings a command runs with: the environment, then `--env-file` (default ./.env); warnings printed once. */
export function commandSettings(options: RuntimeOptions = {}): Settings {
  const envFile = options.envFile ?? cliEnvFile;
  const settings = loadSettings({ env: options.env ?? process.env, cwd: options.cwd ?? process.cwd(), envFile, requireEnvFile: envFile !== undefined });
  for (const w of settings.warnings) if (!warned.has(w) && warned.add(w)) process.stderr.write(`warning: ${w}\n`);
  return settings;
}

/** Builds the runtime from the environment and the `.env` file (see `RuntimeOptions`). */
export async function openRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const settings = commandSettings(options);
  const home = settings.home;
  // a file as home is an error here; temp files, locks and temp folders of killed runs are cleaned
  const homeState = await prepareHome(home);
  if (homeState.cleaned.length > 0) process.stderr.write(`removed ${homeState.cleaned.length} leftover temp file(s) of interrupted runs\n`);
  const prefix = settings.featurePrefix;
  let objects: ObjectStore | undefined;
  let features: FeatureStore | undefined;
  let synthetic: import('../sources/synthetic-market.js').SyntheticMarket | undefined;
  let ledger: OrderLedger | undefined;

  const objectStore = async (): Promise<ObjectStore> => {
    if (objects) return objects;
    if (settings.usesS3) {
      objects = await s3Store(settings);
    } else {
      const { LocalObjectStore } = await import('../store/local-object-store.js');
      objects = new LocalObjectStore(join(home, 'store'));
    }
    return objects!;
  };
  const featureStore = async (): Promise<FeatureStore> => {
    if (!features) {
      const { ParquetFeatureStore } = await import('../store/parquet-feature-store.js');
      const { MarketJoinedFeatureStore } = await import('../features/market-covariates.js');
      // market covariates (VIX, the universe's return) are stored once and joined into every symbol by date
      features = new MarketJoinedFeatureStore(await ParquetFeatureStore.open({ objects: await objectStore(), prefix }));
    }
    return features;
  };
  const syntheticMarket = async () => {
    if (!synthetic) {
      const { SyntheticMarket } = await import('../sources/synthetic-market.js');
      synthetic = new SyntheticMarket({ seed: 42 });
    }
    return synthetic;
  };

  return {
    settings,
    home,
    featureLocation: settings.usesS3 ? `s3://${settings.bucket}/${prefix}` : join(home, 'store', prefix),
    objectStore,
    async modelStore() {
      if (settings.modelBucket) return s3Store(settings, settings.modelBucket);
      const { LocalObjectStore } = await import('../store/local-object-store.js');
      return new LocalObjectStore(join(home, 'models'));
    },
    featureStore,
    async barSource(name, opts = {}) {
      switch (name) {
        case 'synthetic':
          return syntheticMarket();
        case 'csv': {
          if (!opts.csvPath) throw new Error('--source csv needs --csv <path>');
          const { CsvBarsSource } = await import('../sources/csv-bars.js');
          return new CsvBarsSource(opts.csvPath, { adjust: opts.adjust });
        }
        case 'alpaca': {
          const { AlpacaMarketDataSource } = await import('../adapters/alpaca/market-data.js');
          return new AlpacaMarketDataSource({ ...settings.alpacaKeys(), baseUrl: settings.alpacaDataUrl });
        }
        case 'yahoo': {
          const { YahooMarketDataSource } = await import('../sources/yahoo-market-data.js');
          return new YahooMarketDataSource({ adjust: opts.adjust });
        }
      }
    },
    async vixSource(csvPath) {
      if (csvPath) {
        const [{ IndexCsvSource }, { VIX_TICKER }] = await Promise.all([import('../sources/index-csv.js'), import('../features/market-covariates.js')]);
        return new IndexCsvSource(csvPath, VIX_TICKER);
      }
      const { YahooMarketDataSource } = await import('../sources/yahoo-market-data.js');
      return new YahooMarketDataSource({});
    },
    async earningsSource(name, opts = {}) {
      if (name === 'synthetic') return syntheticMarket();
      if (name === 'csv') {
        if (!opts.csvPath) throw new Error('--earnings-source csv needs --earnings-csv <path>');
        const { CsvEarningsSource } = await import('../sources/csv-earnings.js');
        return new CsvEarningsSource(opts.csvPath);
      }
      if (name === 'nasdaq') {
        const { NasdaqEarningsSource } = await import('../sources/nasdaq-earnings.js');
        return new NasdaqEarningsSource({ baseUrl: settings.nasdaqApiUrl });
      }
      throw new Error(`unknown earnings source "${name}": expected nasdaq, csv or synthetic`);
    },
    async defaultSymbols(name, source) {
      if (name === 'synthetic') return (await syntheticMarket()).symbols;
      if (name === 'csv' && 'listSymbols' in source) return (source as unknown as { listSymbols(): Promise<string[]> }).listSymbols();
      throw new Error(`--source ${name} needs --symbols-file or --symbols`);
    },
    unavailableBarFeatures(name) {
      return name === 'csv' || name === 'yahoo' ? ['trade_count', 'vwap'] : [];
    },
    async orderLedger() {
      ledger ??= await openLedger(settings);
      return ledger;
    },
    async openLedger(options) {
      if (!settings.usesDynamo && !existsSync(join(home, 'ledger.duckdb'))) return null;
      return openLedger(settings, options);
    },
    async broker(choice) {
      return openBroker(settings, choice, await featureStore());
    },
    async tensorBackend(name, support) {
      const { initBackend } = await import('../model/backend.js');
      return initBackend(name as Parameters<typeof initBackend>[0], support);
    },
    notifiers: (url) => openNotifiers(settings, url),
    lockPath(name) {
      return pathInside(home, 'locks', `${name}.lock`);
    },
    homePath(...segments) {
      return pathInside(home, ...segments);
    },
    locksDir: pathInside(home, 'locks'),
    async close() {
      await ledger?.close();
      await features?.close();
    },
  };
}

/** DynamoDB when ORDERS_TABLE is set (with the settings' endpoint, region and credentials), else the embedded file. */
async function openLedger(settings: Settings, options: { readOnly?: boolean } = {}): Promise<OrderLedger> {
  if (settings.usesDynamo) {
    const { DynamoDbOrderLedger } = await import('../store/dynamodb-order-ledger.js');
    const options = settings.dynamoOptions();
    exportAwsEnvironment(settings);
    const region = await resolveRegion(settings, options.endpoint, async () => new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient({}));
    return new DynamoDbOrderLedger({ ...options, region });
  }
  const { DuckDbOrderLedger } = await import('../store/duckdb-order-ledger.js');
  return DuckDbOrderLedger.open(join(settings.home, 'ledger.duckdb'), options);
}

/** The alert channels the settings and `--notify <url>` name. */
async function openNotifiers(settings: Settings, url: string | undefined): Promise<Notifier[]> {
  const out: Notifier[] = [];
  const urls = [...new Set([url, settings.get('STOCKCAST_NOTIFY_URL')].filter((u): u is string => u !== undefined))];
  if (urls.length > 0) {
    const { WebhookNotifier } = await import('../adapters/notify/webhook-notifier.js');
    for (const u of urls) out.push(new WebhookNotifier({ url: u }));
  }
  const token = settings.get('TELEGRAM_BOT_TOKEN');
  const chat = settings.get('TELEGRAM_CHAT_ID');
  if (token !== undefined || chat !== undefined) {
    if (token === undefined || chat === undefined) throw new Error(`missing setting ${token === undefined ? 'TELEGRAM_BOT_TOKEN' : 'TELEGRAM_CHAT_ID'}: Telegram alerts need TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID`);
    const { TelegramNotifier } = await import('../adapters/notify/telegram-notifier.js');
    out.push(new TelegramNotifier({ botToken: token, chatId: chat, apiUrl: settings.get('TELEGRAM_API_URL') }));
  }
  return out;
}

/** An S3 object store over `bucket` (default the feature store's), with the SDK's chain for what the settings leave open. */
async function s3Store(settings: Settings, bucket?: string): Promise<ObjectStore> {
  const { S3ObjectStore } = await import('../store/s3-object-store.js');
  const options = settings.s3Options(bucket);
  exportAwsEnvironment(settings);
  const region = await resolveRegion(settings, options.endpoint, async () => new (await import('@aws-sdk/client-s3')).S3Client({}));
  return new S3ObjectStore({ ...options, region }) as ObjectStore;
}

/** Alpaca when chosen, or by default when ALPACA_KEY is set; else the local paper broker filling at the day's open. */
async function openBroker(settings: Settings, choice: BrokerChoice, features: FeatureStore): Promise<Broker> {
  if (choice.kind === 'alpaca' || (choice.kind === undefined && settings.hasAlpacaKeys())) {
    const { AlpacaBroker } = await import('../adapters/alpaca/trading.js');
    return new AlpacaBroker({
      ...settings.alpacaKeys(),
      live: choice.live,
      liveConfirmed: choice.liveConfirmed,
      // ALPACA_TRADING_URL / APCA_API_BASE_URL point paper runs at another host (tests: the fake); live always goes to Alpaca's live host
      baseUrl: choice.live ? undefined : settings.alpacaTradingUrl,
    });
  }
  if (choice.live) throw new Error('--live needs the Alpaca broker (ALPACA_KEY/ALPACA_SECRET)');
  const { PaperBroker } = await import('../broker/paper-broker.js');
  return new PaperBroker({
    statePath: join(settings.home, 'paper-broker.json'),
    now: choice.now ? () => choice.now! : undefined,
    startingCash: 100_000,
    priceOn: openFromFeatureStore(features),
  });
}

/** The open of a symbol on a date from the feature store, one query per day (the local paper broker's fill price). */
function openFromFeatureStore(features: FeatureStore): (symbol: string, date: string) => Promise<number | null> {
  const cache = new Map<string, Map<string, number>>();
  return async (symbol, date) => {
    let day = cache.get(date);
    if (!day) {
      const f = await features.queryWide({ features: ['open'], timeFrame: '1Day', startDate: date, endDate: date }).catch(() => null);
      const open = f?.columns.get('open');
      day = new Map();
      for (let r = 0; f && open && r < f.length; r++) day.set(f.symbols[f.symbolIndex[r]!]!, open[r]!);
      if (day.size > 0) cache.set(date, day); // a day not yet in the store may arrive with the next refresh
    }
    return day.get(symbol) ?? null;
  };
}
