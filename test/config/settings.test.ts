import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '../../src/config/settings.js';
import { parseDotenv } from '../../src/config/dotenv.js';
import { redactSecrets } from '../../src/core/redact.js';

test('parses the seed .env format: comments, quotes, export, annotations in parentheses', () => {
  const env = parseDotenv(
    [
      '# stockcast',
      'ALPACA_KEY=PKTEST123456 ( go to the dashboard for keys)',
      'export REGION_NAME=us-east-2',
      'S3_BUCKET_NAME="ai-stock-forecasts"',
      "ORDERS_TABLE='orders_table' # the ledger",
      '',
    ].join('\n'),
  );
  assert.deepEqual(env, { ALPACA_KEY: 'PKTEST123456', REGION_NAME: 'us-east-2', S3_BUCKET_NAME: 'ai-stock-forecasts', ORDERS_TABLE: 'orders_table' });
});

test('a malformed .env line names the file and line, never the value', () => {
  assert.throws(() => parseDotenv('OK=1\nthis-is-secret-ish\n', '/x/.env'), (e: Error) => e.message.startsWith('/x/.env:2: expected KEY=VALUE') && !e.message.includes('secret-ish'));
});

test('environment wins over .env; no cloud settings means local defaults', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-set-'));
  try {
    await writeFile(join(dir, '.env'), 'REGION_NAME=us-east-2\nATHENA_TABLE_S3_PREFIX=hist_v3\n');
    const s = loadSettings({ env: { REGION_NAME: 'eu-west-1' }, cwd: dir });
    assert.equal(s.region, 'eu-west-1');
    assert.equal(s.featurePrefix, 'hist_v3');
    assert.equal(s.usesS3, false);
    assert.equal(s.usesDynamo, false);
    assert.equal(s.home, join(dir, '.stockcast'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a missing credential names the variable; secrets are masked everywhere', () => {
  const s = loadSettings({ env: { ALPACA_SECRET: 'very-secret-value-1', SECRET_ACCESS_KEY: 'aws-secret-value-2', S3_BUCKET_NAME: 'b' }, cwd: tmpdir(), envFile: '/nonexistent/.env' });
  assert.throws(() => s.require('ALPACA_KEY'), (e: Error) => e.message === 'missing setting ALPACA_KEY: set it in the environment or in .env');
  assert.equal(s.toSafeJSON().ALPACA_SECRET, '****');
  assert.equal(s.toSafeJSON().S3_BUCKET_NAME, 'b');
  assert.equal(redactSecrets('key=very-secret-value-1 aws=aws-secret-value-2'), 'key=**** aws=****');
  assert.equal(s.usesS3, true);
  assert.equal(s.s3Options().credentials, undefined, 'only one half of a key pair is not a credential');
});

test("Alpaca's standard APCA_API_KEY_ID / APCA_API_SECRET_KEY work beside the seed's names, which win", () => {
  const none = '/nonexistent/.env';
  const standard = loadSettings({ env: { APCA_API_KEY_ID: 'PKSTD', APCA_API_SECRET_KEY: 'std-secret-1' }, cwd: tmpdir(), envFile: none });
  assert.equal(standard.hasAlpacaKeys(), true);
  assert.deepEqual(standard.alpacaKeys(), { keyId: 'PKSTD', secretKey: 'std-secret-1' });
  assert.equal(redactSecrets('x std-secret-1'), 'x ****', 'registered as a secret');
  const both = loadSettings({ env: { ALPACA_KEY: 'PKSEED', ALPACA_SECRET: 'seed-secret-1', APCA_API_KEY_ID: 'PKSTD', APCA_API_SECRET_KEY: 'std-secret-1' }, cwd: tmpdir(), envFile: none });
  assert.deepEqual(both.alpacaKeys(), { keyId: 'PKSEED', secretKey: 'seed-secret-1' });
  const half = loadSettings({ env: { APCA_API_KEY_ID: 'PKSTD' }, cwd: tmpdir(), envFile: none });
  assert.throws(() => half.alpacaKeys(), /^Error: missing setting ALPACA_SECRET \(or APCA_API_SECRET_KEY\): set it in the environment or in \.env$/);
  assert.equal(loadSettings({ env: {}, cwd: tmpdir(), envFile: none }).hasAlpacaKeys(), false);
});

test('APCA_API_BASE_URL sets the paper host (a trailing /v2 dropped); naming the live host never makes a run live', () => {
  const none = '/nonexistent/.env';
  const paper = loadSettings({ env: { APCA_API_BASE_URL: 'https://paper-api.alpaca.markets/v2' }, cwd: tmpdir(), envFile: none });
  assert.equal(paper.alpacaTradingUrl, 'https://paper-api.alpaca.markets');
  assert.deepEqual(paper.warnings, []);
  const live = loadSettings({ env: { APCA_API_BASE_URL: 'https://api.alpaca.markets' }, cwd: tmpdir(), envFile: none });
  assert.equal(live.alpacaTradingUrl, 'https://paper-api.alpaca.markets');
  assert.match(live.warnings[0]!, /APCA_API_BASE_URL names the live host; stockcast trades the paper account unless `trade --live` and live_trading: true/);
  const explicit = loadSettings({ env: { ALPACA_TRADING_URL: 'http://127.0.0.1:9', APCA_API_BASE_URL: 'https://paper-api.alpaca.markets' }, cwd: tmpdir(), envFile: none });
  assert.equal(explicit.alpacaTradingUrl, 'http://127.0.0.1:9');
  assert.equal(loadSettings({ env: { APCA_API_DATA_URL: 'http://127.0.0.1:8' }, cwd: tmpdir(), envFile: none }).alpacaDataUrl, 'http://127.0.0.1:8');
});

test("AWS: explicit credentials only from the seed's ACCESS_KEY / SECRET_ACCESS_KEY; AWS_* variables of .env go to the SDK's chain; no default region", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-set-'));
  try {
    await writeFile(join(dir, '.env'), 'AWS_PROFILE=research\nAWS_CONFIG_FILE=/etc/aws/config\nAWS_ACCESS_KEY_ID=AKIAFROMFILE\nAWS_REGION=eu-central-1\nS3_BUCKET_NAME=b\n');
    const s = loadSettings({ env: { AWS_REGION: 'us-west-2' }, cwd: dir });
    assert.equal(s.awsCredentials(), undefined, 'AWS_ACCESS_KEY_ID is the SDK chain’s, not an explicit credential');
    assert.deepEqual(s.awsSdkEnvironment(), { AWS_PROFILE: 'research', AWS_CONFIG_FILE: '/etc/aws/config', AWS_ACCESS_KEY_ID: 'AKIAFROMFILE' }, 'what the environment already sets stays the environment’s');
    assert.equal(s.region, 'us-west-2');
    assert.equal(loadSettings({ env: {}, cwd: tmpdir(), envFile: '/nonexistent/.env' }).region, undefined, 'no hard-coded region');
    const seed = loadSettings({ env: { ACCESS_KEY: 'AKIASEED', SECRET_ACCESS_KEY: 'seed-aws-secret', REGION_NAME: 'us-east-2' }, cwd: tmpdir(), envFile: '/nonexistent/.env' });
    assert.deepEqual(seed.awsCredentials(), { accessKeyId: 'AKIASEED', secretAccessKey: 'seed-aws-secret' });
    assert.equal(seed.region, 'us-east-2');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an --env-file that does not exist is an error; the default ./.env may be missing', () => {
  assert.throws(() => loadSettings({ env: {}, cwd: tmpdir(), envFile: 'no-such.env', requireEnvFile: true }), /^Error: --env-file \/.*\/no-such\.env: no such file$/);
  assert.equal(loadSettings({ env: {}, cwd: '/nonexistent-dir' }).envFile, '/nonexistent-dir/.env');
});

test('a webhook URL is masked as a whole and by its path; TELEGRAM_BOT_TOKEN is a secret', () => {
  loadSettings({ env: { STOCKCAST_NOTIFY_URL: 'https://hooks.example.com/services/T1/B2/xyzsecret', TELEGRAM_BOT_TOKEN: '1:telegram-token-xyz' }, cwd: tmpdir(), envFile: '/nonexistent/.env' });
  assert.equal(redactSecrets('POST https://hooks.example.com/services/T1/B2/xyzsecret'), 'POST ****');
  assert.equal(redactSecrets('path /services/T1/B2/xyzsecret failed'), 'path **** failed');
  assert.equal(redactSecrets('bot1:telegram-token-xyz'), 'bot****');
});
