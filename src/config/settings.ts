import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { redactSecrets, registerSecret } from '../core/redact.js';
import { didYouMean } from './config-error.js';
import { readDotenv } from './dotenv.js';

/** Environment variables that hold secrets: registered for masking, never printed. A webhook URL is a secret too. */
export const SECRET_VARIABLES = [
  'ALPACA_KEY', 'ALPACA_SECRET', 'APCA_API_KEY_ID', 'APCA_API_SECRET_KEY', 'ACCESS_KEY', 'SECRET_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'TELEGRAM_BOT_TOKEN', 'STOCKCAST_NOTIFY_URL',
] as const;

/** The AWS SDK's own variables that stockcast passes on from `.env` to the SDK's credential and region chain. */
export const AWS_SDK_VARIABLES = [
  'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_SDK_LOAD_CONFIG',
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION',
  'AWS_ROLE_ARN', 'AWS_ROLE_SESSION_NAME', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_EC2_METADATA_DISABLED',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN',
] as const;

/** Every variable stockcast reads: the seed's names, the standard Alpaca and AWS ones, and stockcast's own. */
export const SETTING_VARIABLES = [
  ...SECRET_VARIABLES, ...AWS_SDK_VARIABLES, 'REGION_NAME', 'S3_BUCKET_NAME', 'ATHENA_TABLE_S3_PREFIX', 'S3_MODEL_OUTPUT_BUCKET_NAME', 'ORDERS_TABLE',
  'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SAGEMAKER',
  'STOCKCAST_HOME', 'STOCKCAST_CONFIG', 'ALPACA_DATA_URL', 'ALPACA_TRADING_URL', 'APCA_API_BASE_URL', 'APCA_API_DATA_URL', 'NASDAQ_API_URL',
  'TELEGRAM_CHAT_ID', 'TELEGRAM_API_URL',
] as const;

const URL_VARIABLES = [
  'ALPACA_DATA_URL', 'ALPACA_TRADING_URL', 'APCA_API_BASE_URL', 'APCA_API_DATA_URL', 'NASDAQ_API_URL', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SAGEMAKER', 'STOCKCAST_NOTIFY_URL', 'TELEGRAM_API_URL',
];

/** Alpaca's live trading host: APCA_API_BASE_URL naming it never turns a paper run into a live one. */
const ALPACA_LIVE_HOST = 'api.alpaca.markets';

/** An Alpaca key pair, from the seed's ALPACA_KEY / ALPACA_SECRET or Alpaca's own APCA_API_KEY_ID / APCA_API_SECRET_KEY. */
export interface AlpacaKeys {
  keyId: string;
  secretKey: string;
}

/** Explicit AWS credentials: only from the seed's ACCESS_KEY / SECRET_ACCESS_KEY (everything else is the SDK's chain). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** S3 connection options derived from the settings. */
export interface S3Options {
  bucket: string;
  prefix?: string;
  /** Unset when neither the settings nor the SDK's chain name one (see `resolveRegion` in the runtime). */
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials?: AwsCredentials;
  /** Local cache of downloaded objects, keyed by ETag (`<STOCKCAST_HOME>/cache/s3`). */
  cacheDir?: string;
}

/** DynamoDB connection options of the orders table. */
export interface DynamoOptions {
  table: string;
  region?: string;
  endpoint?: string;
  credentials?: AwsCredentials;
}

/** Typed settings from the environment and `.env`, using the seed's variable names. */
export interface Settings {
  /** The local data directory (STOCKCAST_HOME, default `<cwd>/.stockcast`). */
  home: string;
  /** Key prefix of the feature store (ATHENA_TABLE_S3_PREFIX, default `historical_data_v2`). */
  featurePrefix: string;
  /** REGION_NAME, else AWS_REGION, else AWS_DEFAULT_REGION; unset lets the AWS SDK resolve it (profile, instance). */
  region?: string;
  /** The `.env` file read (it may not exist). */
  envFile: string;
  /** S3_BUCKET_NAME: the feature store's bucket; unset means a local directory. */
  bucket?: string;
  /** S3_MODEL_OUTPUT_BUCKET_NAME: where model artifacts go; unset means the local directory. */
  modelBucket?: string;
  /** ORDERS_TABLE: the DynamoDB orders table; unset means the embedded ledger. */
  ordersTable?: string;
  /** ALPACA_DATA_URL, else APCA_API_DATA_URL, else Alpaca's data host. */
  alpacaDataUrl: string;
  /**
   * The paper trading host: ALPACA_TRADING_URL, else APCA_API_BASE_URL unless it names the live host, else Alpaca's
   * paper host. Live trading always goes to Alpaca's live host, and only with --live and live_trading: true.
   */
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
  /** Explicit AWS credentials when both halves of the seed's ACCESS_KEY / SECRET_ACCESS_KEY are set; else the SDK's chain. */
  awsCredentials(): AwsCredentials | undefined;
  /** AWS SDK variables set in `.env` but not in the environment: the runtime hands them to the SDK's own chain. */
  awsSdkEnvironment(): Record<string, string>;
  /** True when an Alpaca key id is set under either name. */
  hasAlpacaKeys(): boolean;
  /** The Alpaca key pair, or an error naming both accepted names of the missing half (never a value). */
  alpacaKeys(): AlpacaKeys;
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
  /** The `.env` file to read (default `<cwd>/.env`); a missing file is fine unless `requireEnvFile`. */
  envFile?: string | undefined;
  /** The file was named explicitly (`--env-file`): a missing one is an error. */
  requireEnvFile?: boolean;
}

/** Loads settings: the process environment first, then `.env` for what the environment lacks. */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const cwd = options.cwd ?? process.cwd();
  const envFile = resolve(cwd, options.envFile ?? '.env');
  if (options.requireEnvFile && !existsSync(envFile)) throw new Error(`--env-file ${envFile}: no such file`);
  const fromFile = readDotenv(envFile);
  const fromEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env ?? process.env)) if (v !== undefined && v !== '') fromEnv[k] = v;
  const values: Record<string, string> = {};
  // an empty variable counts as unset, so `ALPACA_KEY=` in the shell does not hide the .env value
  for (const [k, v] of Object.entries(fromFile)) if (v !== '') values[k] = v;
  Object.assign(values, fromEnv);
  for (const name of SECRET_VARIABLES) registerSecret(values[name]);
  registerUrlSecrets(values.STOCKCAST_NOTIFY_URL);
  const get = (name: string): string | undefined => values[name];
  for (const name of URL_VARIABLES) checkUrl(name, get(name));
  const warnings = misspelt(Object.keys(fromFile));
  const region = get('REGION_NAME') ?? get('AWS_REGION') ?? get('AWS_DEFAULT_REGION');
  const bucket = get('S3_BUCKET_NAME');
  const ordersTable = get('ORDERS_TABLE');
  const require = (name: string): string => {
    const v = get(name);
    if (v === undefined) throw new Error(`missing setting ${name}: set it in the environment or in .env`);
    return v;
  };
  const either = (seed: string, standard: string): string => {
    const v = get(seed) ?? get(standard);
    if (v === undefined) throw new Error(`missing setting ${seed} (or ${standard}): set it in the environment or in .env`);
    return v;
  };
  const awsCredentials = (): AwsCredentials | undefined => {
    const accessKeyId = get('ACCESS_KEY');
    const secretAccessKey = get('SECRET_ACCESS_KEY');
    // the standard AWS_* variables, profiles, SSO and web identity stay with the SDK's own chain
    if (!accessKeyId || !secretAccessKey) return undefined;
    const sessionToken = get('AWS_SESSION_TOKEN');
    return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
  };
  const tradingUrl = alpacaTradingUrl(get, warnings);
  const settings: Settings = {
    home: resolve(cwd, get('STOCKCAST_HOME') ?? '.stockcast'),
    featurePrefix: (get('ATHENA_TABLE_S3_PREFIX') ?? 'historical_data_v2').replace(/^\/+|\/+$/g, ''),
    region,
    envFile,
    bucket,
    modelBucket: get('S3_MODEL_OUTPUT_BUCKET_NAME'),
    ordersTable,
    alpacaDataUrl: get('ALPACA_DATA_URL') ?? get('APCA_API_DATA_URL') ?? 'https://data.alpaca.markets',
    alpacaTradingUrl: tradingUrl,
    nasdaqApiUrl: get('NASDAQ_API_URL') ?? 'https://api.nasdaq.com',
    usesS3: bucket !== undefined,
    usesDynamo: ordersTable !== undefined,
    warnings,
    get,
    require,
    awsCredentials,
    awsSdkEnvironment() {
      const out: Record<string, string> = {};
      for (const name of AWS_SDK_VARIABLES) if (fromFile[name] && fromEnv[name] === undefined) out[name] = fromFile[name];
      return out;
    },
    hasAlpacaKeys: () => (get('ALPACA_KEY') ?? get('APCA_API_KEY_ID')) !== undefined,
    alpacaKeys: () => ({ keyId: either('ALPACA_KEY', 'APCA_API_KEY_ID'), secretKey: either('ALPACA_SECRET', 'APCA_API_SECRET_KEY') }),
    s3Options(b) {
      const endpoint = get('AWS_ENDPOINT_URL_S3') ?? get('AWS_ENDPOINT_URL');
      const name = b ?? bucket ?? require('S3_BUCKET_NAME');
      // S3-protocol servers other than AWS (tests, MinIO) address buckets by path, not by host name
      return { bucket: name, region, endpoint, forcePathStyle: endpoint !== undefined, credentials: awsCredentials(), cacheDir: join(settings.home, 'cache', 's3') };
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
      return { ...out, STOCKCAST_HOME: settings.home, ATHENA_TABLE_S3_PREFIX: settings.featurePrefix, ...(region ? { REGION_NAME: region } : {}), ALPACA_DATA_URL: settings.alpacaDataUrl, ALPACA_TRADING_URL: settings.alpacaTradingUrl, NASDAQ_API_URL: settings.nasdaqApiUrl };
    },
  };
  return settings;
}

/** The paper trading host; APCA_API_BASE_URL naming the live host is ignored with a warning (live needs --live). */
function alpacaTradingUrl(get: (name: string) => string | undefined, warnings: string[]): string {
  const explicit = get('ALPACA_TRADING_URL');
  if (explicit) return explicit;
  const standard = get('APCA_API_BASE_URL');
  if (standard && new URL(standard).hostname === ALPACA_LIVE_HOST) {
    warnings.push('APCA_API_BASE_URL names the live host; stockcast trades the paper account unless `trade --live` and live_trading: true are both given');
    return 'https://paper-api.alpaca.markets';
  }
  // the SDKs' base URL may end in /v2 (older docs); the adapter adds /v2 itself
  return standard ? standard.replace(/\/v2\/?$/, '').replace(/\/+$/, '') : 'https://paper-api.alpaca.markets';
}

/** A webhook URL often carries its secret in the path or query (Slack, Discord): both are masked wherever printed. */
export function registerUrlSecrets(url: string | undefined): void {
  if (!url) return;
  registerSecret(url);
  try {
    const u = new URL(url);
    if (u.pathname.length > 8) registerSecret(u.pathname);
    if (u.search.length > 8) registerSecret(u.search);
    if (u.password) registerSecret(u.password);
  } catch {
    // an invalid URL is reported by checkUrl, naming only the variable
  }
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
