import { join } from 'node:path';
import type { MarketDataSource } from '../sources/market-data-source.js';
import type { EarningsSource } from '../sources/earnings-source.js';
import type { ObjectStore } from '../store/object-store.js';
import type { FeatureStore } from '../store/feature-store.js';
import { loadSettings, type Settings } from '../config/settings.js';

/** Bar sources the CLI can pick by name. */
export const SOURCE_NAMES = ['synthetic', 'csv', 'alpaca', 'yahoo'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

/**
 * The one wiring module: it picks adapters from settings (local directory or S3, synthetic or real sources)
 * and imports each lazily, so an offline run never loads the AWS SDK.
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
  barSource(name: SourceName, options?: { csvPath?: string }): Promise<MarketDataSource>;
  earningsSource(name: string): Promise<EarningsSource>;
  defaultSymbols(name: SourceName, source: MarketDataSource): Promise<string[]>;
  unavailableBarFeatures(name: SourceName): string[];
  close(): Promise<void>;
}

/** Builds the runtime from the environment and an optional `.env` in the working directory. */
export async function openRuntime(options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Runtime> {
  const cwd = options.cwd ?? process.cwd();
  const settings = loadSettings({ env: options.env ?? process.env, cwd });
  const home = settings.home;
  const prefix = settings.featurePrefix;
  let objects: ObjectStore | undefined;
  let features: FeatureStore | undefined;
  let synthetic: import('../sources/synthetic-market.js').SyntheticMarket | undefined;

  const objectStore = async (): Promise<ObjectStore> => {
    if (objects) return objects;
    if (settings.usesS3) {
      const { S3ObjectStore } = await import('../store/s3-object-store.js');
      objects = new S3ObjectStore(settings.s3Options()) as ObjectStore;
    } else {
      const { LocalObjectStore } = await import('../store/local-object-store.js');
      objects = new LocalObjectStore(join(home, 'store'));
    }
    return objects!;
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
      if (settings.modelBucket) {
        const { S3ObjectStore } = await import('../store/s3-object-store.js');
        return new S3ObjectStore(settings.s3Options(settings.modelBucket)) as ObjectStore;
      }
      const { LocalObjectStore } = await import('../store/local-object-store.js');
      return new LocalObjectStore(join(home, 'models'));
    },
    async featureStore() {
      if (!features) {
        const { ParquetFeatureStore } = await import('../store/parquet-feature-store.js');
        features = await ParquetFeatureStore.open({ objects: await objectStore(), prefix });
      }
      return features;
    },
    async barSource(name, opts = {}) {
      switch (name) {
        case 'synthetic':
          return syntheticMarket();
        case 'csv': {
          if (!opts.csvPath) throw new Error('--source csv needs --csv <path>');
          const { CsvBarsSource } = await import('../sources/csv-bars.js');
          return new CsvBarsSource(opts.csvPath);
        }
        case 'alpaca': {
          const { AlpacaMarketDataSource } = await import('../adapters/alpaca/market-data.js');
          return new AlpacaMarketDataSource({
            keyId: settings.require('ALPACA_KEY'),
            secretKey: settings.require('ALPACA_SECRET'),
            baseUrl: settings.alpacaDataUrl,
          });
        }
        case 'yahoo': {
          const { YahooMarketDataSource } = await import('../sources/yahoo-market-data.js');
          return new YahooMarketDataSource({});
        }
      }
    },
    async earningsSource(name) {
      if (name === 'synthetic') return syntheticMarket();
      if (name === 'nasdaq') {
        const { NasdaqEarningsSource } = await import('../sources/nasdaq-earnings.js');
        return new NasdaqEarningsSource({ baseUrl: settings.nasdaqApiUrl });
      }
      throw new Error(`unknown earnings source "${name}": expected nasdaq or synthetic`);
    },
    async defaultSymbols(name, source) {
      if (name === 'synthetic') return (await syntheticMarket()).symbols;
      if (name === 'csv' && 'listSymbols' in source) return (source as unknown as { listSymbols(): Promise<string[]> }).listSymbols();
      throw new Error(`--source ${name} needs --symbols-file or --symbols`);
    },
    unavailableBarFeatures(name) {
      return name === 'csv' || name === 'yahoo' ? ['trade_count', 'vwap'] : [];
    },
    async close() {
      await features?.close();
    },
  };
}
