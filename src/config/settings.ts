import { join, resolve } from 'node:path';
import { redactSecrets, registerSecret } from '../core/redact.js';
import { didYouMean } from './config-error.js';
import { readDotenv } from './dotenv.js';

/** Environment variables that hold secrets: registered for masking, never printed. */
export const SECRET_VARIABLES = [
  'ALPACA_KEY', 'ALPACA_SECRET', 'ACCESS_KEY', 'SECRET_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
] as const;

/** Every variable stockcast reads: the seed's names, the standard AWS ones (fallbacks) and stockcast's own. */
export const SETTING_VARIABLES = [
  ...SECRET_VARIABLES, 'REGION_NAME', 'S3_BUCKET_NAME', 'ATHENA_TABLE_S3_PREFIX', 'S3_MODEL_OUTPUT_BUCKET_NAME', 'ORDERS_TABLE',
  'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SAGEMAKER',
  'STOCKCAST_HOME', 'ALPACA_DATA_URL', 'ALPACA_TRADING_URL', 'NASDAQ_API_URL',
] as const;

const URL_VARIABLES = ['ALPACA_DATA_URL', 'ALPACA_TRADING_URL', 'NASDAQ_API_URL', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SAGEMAKER'];

/** AWS credentials from the seed's ACCESS_KEY / SECRET_ACCESS_KEY, else the standard AWS variables. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** S3 connection options derived from the settings. */
export interface S3Options {
  bucket: string;
  prefix?: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials?: AwsCredentials;
}

/** DynamoDB connection options of the orders table. */
export interface DynamoOptions {
  table: string;
  region: string;
  endpoint?: string;
  credentials?: AwsCredentials;
}

/** Typed settings from the environment and `.env`, using the seed's variable names. */
export interface Settings {
  /** The local data directory (STOCKCAST_HOME, default `<cwd>/.stockcast`). */
  home: string;
  /** Key prefix of the feature store (ATHENA_TABLE_S3_PREFIX, default `historical_data_v2`). */
  featurePrefix: string;
  /** REGION_NAME, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1. */
  region: string;
  /** S3_BUCKET_NAME: the feature store's bucket; unset means a local directory. */
  bucket?: string;
  /** S3_MODEL_OUTPUT_BUCKET_NAME: where model artifacts go; unset means the local directory. */
  modelBucket?: string;
  /** ORDERS_TABLE: the DynamoDB orders table; unset means the embedded ledger. */
  ordersTable?: string;
  alpacaDataUrl: string;
  /** Paper trading by default; the live endpoint is only chosen by the trade command when live trading is enabled. */
  alpacaTradingUrl: string;
  nasdaqApiUrl: string;
  usesS3: boolean;
  usesDynamo: boolean;
  /** Things worth a look, such as a `.env` name that looks like a misspelt setting. */
  warnings: string[];
  /** The value of a variable, or an error naming it (never any value). */
  require(name: string): string;
  /** The value of a variable; empty counts as unset. */
  get(name: string): string | undefined;
  /** AWS credentials when both halves of a key pair are set. */
  awsCredentials(): AwsCredentials | undefined;
  s3Options(bucket?: string): S3Options;
  dynamoOptions(): DynamoOptions;
  /** The settings stockcast reads, for printing: secrets shown as `****`. */
  toSafeJSON(): Record<string, string>;
}

/** Options of `loadSettings`. */
export interface LoadSettingsOptions {
  /** The process environment (default `process.env`); it wins over `.env`. */
  env?: Record<string, string | undefined>;
  /** Directory of the default `.env` and the default STOCKCAST_HOME (default `process.cwd()`). */
  cwd?: string;
  /** The `.env` file to read (default `<cwd>/.env`); a missing file is fine. */
  envFile?: string | undefined;
}

/** Loads settings: the process environment first, then `.env` for what the environment lacks. */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const cwd = options.cwd ?? process.cwd();
  const fromFile = readDotenv(options.envFile ?? join(cwd, '.env'));
  const values: Record<string, string> = {};
  // an empty variable counts as unset, so `ALPACA_KEY=` in the shell does not hide the .env value
  for (const [k, v] of Object.entries(fromFile)) if (v !== '') values[k] = v;
  for (const [k, v] of Object.entries(options.env ?? process.env)) if (v !== undefined && v !== '') values[k] = v;
  for (const name of SECRET_VARIABLES) registerSecret(values[name]);
  const get = (name: string): string | undefined => values[name];
  for (const name of URL_VARIABLES) checkUrl(name, get(name));
  const warnings = misspelt(Object.keys(fromFile));
  const region = get('REGION_NAME') ?? get('AWS_REGION') ?? get('AWS_DEFAULT_REGION') ?? 'us-east-1';
  const bucket = get('S3_BUCKET_NAME');
  const ordersTable = get('ORDERS_TABLE');
  const require = (name: string): string => {
    const v = get(name);
    if (v === undefined) throw new Error(`missing setting ${name}: set it in the environment or in .env`);
    return v;
  };
  const awsCredentials = (): AwsCredentials | undefined => {
    const accessKeyId = get('ACCESS_KEY') ?? get('AWS_ACCESS_KEY_ID');
    const secretAccessKey = get('SECRET_ACCESS_KEY') ?? get('AWS_SECRET_ACCESS_KEY');
    if (!accessKeyId || !secretAccessKey) return undefined; // the SDK's own chain (profiles, roles) then applies
    const sessionToken = get('AWS_SESSION_TOKEN');
    return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
  };
  const settings: Settings = {
    home: resolve(cwd, get('STOCKCAST_HOME') ?? '.stockcast'),
    featurePrefix: (get('ATHENA_TABLE_S3_PREFIX') ?? 'historical_data_v2').replace(/^\/+|\/+$/g, ''),
    region,
    bucket,
    modelBucket: get('S3_MODEL_OUTPUT_BUCKET_NAME'),
    ordersTable,
    alpacaDataUrl: get('ALPACA_DATA_URL') ?? 'https://data.alpaca.markets',
    alpacaTradingUrl: get('ALPACA_TRADING_URL') ?? 'https://paper-api.alpaca.markets',
    nasdaqApiUrl: get('NASDAQ_API_URL') ?? 'https://api.nasdaq.com',
    usesS3: bucket !== undefined,
    usesDynamo: ordersTable !== undefined,
    warnings,
    get,
    require,
    awsCredentials,
    s3Options(b) {
      const endpoint = get('AWS_ENDPOINT_URL_S3') ?? get('AWS_ENDPOINT_URL');
      const name = b ?? bucket ?? require('S3_BUCKET_NAME');
      // S3-protocol servers other than AWS (tests, MinIO) address buckets by path, not by host name
      return { bucket: name, region, endpoint, forcePathStyle: endpoint !== undefined, credentials: awsCredentials() };
    },
    dynamoOptions() {
      const endpoint = get('AWS_ENDPOINT_URL_DYNAMODB') ?? get('AWS_ENDPOINT_URL');
      return { table: ordersTable ?? require('ORDERS_TABLE'), region, endpoint, credentials: awsCredentials() };
    },
    toSafeJSON() {
      const out: Record<string, string> = {};
      for (const name of SETTING_VARIABLES) {
        const v = get(name);
        if (v !== undefined) out[name] = (SECRET_VARIABLES as readonly string[]).includes(name) ? '****' : redactSecrets(v);
      }
      return { ...out, STOCKCAST_HOME: settings.home, ATHENA_TABLE_S3_PREFIX: settings.featurePrefix, REGION_NAME: region, ALPACA_DATA_URL: settings.alpacaDataUrl, ALPACA_TRADING_URL: settings.alpacaTradingUrl, NASDAQ_API_URL: settings.nasdaqApiUrl };
    },
  };
  return settings;
}

/** A URL setting must be http(s); the message names the variable only, since a URL may embed credentials. */
function checkUrl(name: string, value: string | undefined): void {
  if (value === undefined) return;
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    ok = false;
  }
  if (!ok) throw new Error(`invalid setting ${name}: expected an http(s) URL such as https://example.com`);
}

/** Warnings for `.env` names that are a small typo away from a setting stockcast reads. */
function misspelt(names: string[]): string[] {
  const known = new Set<string>(SETTING_VARIABLES);
  const out: string[] = [];
  for (const name of names) {
    if (known.has(name)) continue;
    const close = didYouMean(name, known);
    if (close) out.push(`.env sets ${name}, which stockcast does not read: did you mean ${close}?`);
  }
  return out;
}
