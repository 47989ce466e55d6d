import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbOrderLedger } from '../../src/store/duckdb-order-ledger.js';
import type { LedgerRun } from '../../src/store/order-ledger.js';
import { HttpFake } from '../fakes/http-fake.js';
import { startTelegramFake } from '../fakes/telegram-fake.js';
import { runCli } from '../helpers/cli.js';

const TOKEN = '777000:AAcli-alert-token';
const run = (modelId: string, runDate: string, runStatus: LedgerRun['runStatus']): LedgerRun => ({
  modelId, orderTimestamp: `${runDate}T05:00:00.000Z`, runDate, totalMoneyInvested: 0, moneyAvailable: 25_000, runStatus, orders: [], startedAt: `${runDate}T15:00:00.000Z`, updatedAt: `${runDate}T15:01:00.000Z`,
});

/** A home whose ledger holds model `m1`'s run of 2025-01-06 (complete) and model `m2`'s of 2025-01-07 (left while buying). */
async function homeWithLedger(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-notify-'));
  const ledger = await DuckDbOrderLedger.open(join(dir, 'home', 'ledger.duckdb'));
  await ledger.putRun(run('m1', '2025-01-06', 'complete'));
  await ledger.putRun(run('m2', '2025-01-07', 'buying'));
  await ledger.close();
  return dir;
}

test('trade status --notify <url> posts one alert to the webhook and to Telegram (from the env) when a run was missed or left unfinished', async () => {
  const dir = await homeWithLedger();
  const hook = await new HttpFake(() => ({ status: 200, raw: 'ok' })).start();
  const telegram = await startTelegramFake({ token: TOKEN, chats: ['99'] });
  try {
    const env = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: '99', TELEGRAM_API_URL: telegram.url };
    const r = await runCli(['trade', 'status', '--now', '2025-01-09T15:00:00Z', '--notify', `${hook.url}/hooks/abc123secret`], dir, env);
    assert.equal(r.code, 2, `a missed run still exits 2:\n${r.stderr}`);
    assert.match(r.stderr, new RegExp(`notify: alert sent to webhook ${hook.url.replace(/[.]/g, '\\.')}`));
    assert.match(r.stderr, /notify: alert sent to telegram chat 99/);
    assert.equal(hook.requests.length, 1);
    const payload = JSON.parse(hook.requests[0]!.body) as { event: string; problems: Array<{ modelId: string; kind: string }>; text: string };
    assert.equal(payload.event, 'trade-status');
    assert.deepEqual(payload.problems.map((p) => [p.modelId, p.kind]), [['m1', 'missed'], ['m2', 'unfinished']]);
    assert.equal(telegram.sent.length, 1);
    assert.equal(telegram.sent[0]!.text, payload.text, 'the same text on both channels');
    assert.match(telegram.sent[0]!.text, /- m2: unfinished: the run of 2025-01-07 stopped while buying; re-run `stockcast trade --model-id m2 --execute`/);
    assert.ok(!`${r.stdout}${r.stderr}`.includes('AAcli-alert-token') && !`${r.stdout}${r.stderr}`.includes('abc123secret'));
  } finally {
    await hook.close();
    await telegram.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('trade status --notify: nothing is posted while every run is on schedule; STOCKCAST_NOTIFY_URL from --env-file is a channel', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-notify-'));
  const hook = await new HttpFake(() => ({ status: 204 })).start();
  try {
    const ledger = await DuckDbOrderLedger.open(join(dir, 'home', 'ledger.duckdb'));
    await ledger.putRun(run('m1', '2025-01-06', 'complete'));
    await ledger.close();
    await writeFile(join(dir, 'alerts.env'), `STOCKCAST_NOTIFY_URL=${hook.url}/from-dotenv-hook\n`);
    const onTime = await runCli(['trade', 'status', '--now', '2025-01-07T14:00:00Z', '--notify', '--env-file', 'alerts.env'], dir);
    assert.equal(onTime.code, 0, onTime.stderr);
    assert.match(onTime.stderr, /notify: nothing to report \(webhook http:\/\/127\.0\.0\.1:\d+\)/);
    assert.equal(hook.requests.length, 0);
    const late = await runCli(['trade', 'status', '--now', '2025-01-09T14:00:00Z', '--notify', '--env-file', 'alerts.env'], dir);
    assert.equal(late.code, 2);
    assert.equal(hook.requests.length, 1, 'the webhook of the .env file got the alert');
    assert.equal(hook.requests[0]!.path, '/from-dotenv-hook');
    const [none, half] = await Promise.all([runCli(['trade', 'status', '--notify'], dir), runCli(['trade', 'status', '--notify'], dir, { TELEGRAM_BOT_TOKEN: TOKEN })]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /--notify: no alert channel: give a webhook URL \(--notify <url>\), or set STOCKCAST_NOTIFY_URL, or TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID/);
    assert.equal(none.stdout, '', 'refused before the status is computed');
    assert.equal(half.code, 1);
    assert.match(half.stderr, /missing setting TELEGRAM_CHAT_ID: Telegram alerts need TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID/);
  } finally {
    await hook.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('trade status --notify exits 3 when an alert cannot be delivered, and says which channel failed', async () => {
  const dir = await homeWithLedger();
  const telegram = await startTelegramFake({ token: TOKEN, chats: ['99'] });
  try {
    const r = await runCli(['trade', 'status', '--now', '2025-01-09T15:00:00Z', '--notify'], dir, { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: '12345', TELEGRAM_API_URL: telegram.url });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /notify: alert to telegram chat 12345 FAILED: telegram: chat not found: check TELEGRAM_CHAT_ID/);
    assert.ok(!r.stderr.includes('AAcli-alert-token'));
  } finally {
    await telegram.close();
    await rm(dir, { recursive: true, force: true });
  }
});
