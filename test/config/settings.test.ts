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
