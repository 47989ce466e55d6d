import { join, resolve } from 'node:path';
import { registerSecret } from '../core/redact.js';
import { readDotenv } from './dotenv.js';

/** Environment variables that hold secrets: registered for masking, never printed. */
export const SECRET_VARIABLES = [
  'ALPACA_KEY', 'ALPACA_SECRET', 'ACCESS_KEY', 'SECRET_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
] as const;

/** S3 connection options derived from the settings. */
export interface S3Options {
  bucket: string;
  prefix?: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** Typed settings from the environment and `.env`, using the seed's variable names. */
export interface Settings {
  /** The local data directory (STOCKCAST_HOME, default `<cwd>/.stockcast`). */
  home: string;
  /** Key prefix of the feature store (ATHENA_TABLE_S3_PREFIX, default `historical_data_v2`). */
  featurePrefix: string;
  region: string;
  bucket?: string;
  modelBucket?: string;
  ordersTable?: string;
  alpacaDataUrl: string;
  alpacaTradingUrl: string;
  nasdaqApiUrl: string;
  usesS3: boolean;
  usesDynamo: boolean;
  /** The raw value of a variable, or a readable error naming it (never any value). */
  require(name: string): string;
  get(name: string): string | undefined;
  s3Options(bucket?: string): S3Options;
  /** Settings for printing, with secrets masked. */
  toSafeJSON(): Record<string, string>;
}

/** Loads settings: process environment first, then `.env` (default `<cwd>/.env`) for what the environment lacks. */
export function loadSettings(options: { env?: NodeJS.ProcessEnv; cwd?: string; envFile?: string } = {}): Settings {
  const cwd = options.cwd ?? process.cwd();
  const fromFile = readDotenv(options.envFile ?? join(cwd, '.env'));
  const env: Record<string, string> = { ...fromFile };
  for (const [k, v] of Object.entries(options.env ?? process.env)) if (v !== undefined && v !== '') env[k] = v;
  for (const name of SECRET_VARIABLES) registerSecret(env[name]);
  const get = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const region = get('REGION_NAME') ?? get('AWS_REGION') ?? get('AWS_DEFAULT_REGION') ?? 'us-east-1';
  const bucket = get('S3_BUCKET_NAME');
  const settings: Settings = {
    home: resolve(cwd, get('STOCKCAST_HOME') ?? '.stockcast'),
    featurePrefix: (get('ATHENA_TABLE_S3_PREFIX') ?? 'historical_data_v2').replace(/^\/+|\/+$/g, ''),
    region,
    bucket,
    modelBucket: get('S3_MODEL_OUTPUT_BUCKET_NAME'),
    ordersTable: get('ORDERS_TABLE'),
    alpacaDataUrl: get('ALPACA_DATA_URL') ?? 'https://data.alpaca.markets',
    alpacaTradingUrl: get('ALPACA_TRADING_URL') ?? 'https://paper-api.alpaca.markets',
    nasdaqApiUrl: get('NASDAQ_API_URL') ?? 'https://api.nasdaq.com',
    usesS3: bucket !== undefined,
    usesDynamo: get('ORDERS_TABLE') !== undefined,
    get,
    require(name) {
      const v = get(name);
      if (v === undefined) throw new Error(`missing setting ${name}: set it in the environment or in .env`);
      return v;
    },
    s3Options(b) {
      const accessKeyId = get('ACCESS_KEY') ?? get('AWS_ACCESS_KEY_ID');
      const secretAccessKey = get('SECRET_ACCESS_KEY') ?? get('AWS_SECRET_ACCESS_KEY');
      const endpoint = get('AWS_ENDPOINT_URL_S3') ?? get('AWS_ENDPOINT_URL');
      const name = b ?? bucket;
      if (!name) throw new Error('missing setting S3_BUCKET_NAME: set it in the environment or in .env');
      return {
        bucket: name,
        region,
        endpoint,
        forcePathStyle: endpoint !== undefined,
        credentials:
          accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken: get('AWS_SESSION_TOKEN') } : undefined,
      };
    },
    toSafeJSON() {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(env)) {
        if (!/^(ALPACA_|AWS_|REGION_NAME|ACCESS_KEY|SECRET_ACCESS_KEY|S3_|ATHENA_|ORDERS_TABLE|STOCKCAST_|NASDAQ_)/.test(k)) continue;
        out[k] = (SECRET_VARIABLES as readonly string[]).includes(k) ? '****' : v;
      }
      return out;
    },
  };
  return settings;
}
