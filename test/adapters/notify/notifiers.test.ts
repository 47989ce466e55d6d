import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TelegramNotifier } from '../../../src/adapters/notify/telegram-notifier.js';
import { WebhookNotifier } from '../../../src/adapters/notify/webhook-notifier.js';
import type { AlertMessage, Notifier } from '../../../src/adapters/notify/notifier.js';
import { alertMessage, deliverAlert, runProblems } from '../../../src/pipeline/status-alert.js';
import { DuckDbOrderLedger } from '../../../src/store/duckdb-order-ledger.js';
import type { LedgerOrder, LedgerRun } from '../../../src/store/order-ledger.js';
import { HttpFake } from '../../fakes/http-fake.js';
import { startTelegramFake } from '../../fakes/telegram-fake.js';

const TOKEN = '424242:AAbot-token_for-tests';
const MESSAGE: AlertMessage = {
  event: 'trade-status',
  asOf: '2025-01-08T15:00:00.000Z',
  text: 'stockcast: 1 trading problem(s)\n- m1: missed: no run since 2025-01-03',
  problems: [{ modelId: 'm1', kind: 'missed', detail: 'no run since 2025-01-03', lastRunDate: '2025-01-03' }],
};
/** Records the waits instead of sleeping. */
const recorder = () => {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms), random: () => 0.5 };
};

test('telegram: one sendMessage POST to /bot<token>/sendMessage with the chat, the text and link previews off', async () => {
  const fake = await startTelegramFake({ token: TOKEN, chats: ['-1001234'] });
  try {
    await new TelegramNotifier({ botToken: TOKEN, chatId: '-1001234', apiUrl: fake.url }).send(MESSAGE);
    assert.equal(fake.http.requests.length, 1);
    const req = fake.http.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, `/bot${TOKEN}/sendMessage`);
    assert.match(String(req.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(req.body), { chat_id: '-1001234', text: MESSAGE.text, disable_web_page_preview: true });
    assert.deepEqual(fake.sent, [{ chatId: '-1001234', text: MESSAGE.text, disableWebPagePreview: true }]);
  } finally {
    await fake.close();
  }
});

test("telegram: a 429 waits the body's retry_after, a 5xx is retried, then the message is sent once", async () => {
  const fake = await startTelegramFake({ token: TOKEN, chats: ['42'], rateLimitOnce: 3 });
  fake.http.faults.push({ status: 502 });
  const r = recorder();
  try {
    await new TelegramNotifier({ botToken: TOKEN, chatId: '42', apiUrl: fake.url, ...r }).send(MESSAGE);
    assert.equal(fake.http.requests.length, 3);
    assert.equal(r.waits[1], 3000, 'the wait Telegram asked for in parameters.retry_after');
    assert.equal(fake.sent.length, 1);
  } finally {
    await fake.close();
  }
});

test('telegram: a refused token, an unknown chat and a bad token format are clear errors that never hold the token', async () => {
  const fake = await startTelegramFake({ token: TOKEN, chats: ['42'] });
  try {
    const wrongToken = '424242:AAother-token';
    const e1 = await new TelegramNotifier({ botToken: wrongToken, chatId: '42', apiUrl: fake.url }).send(MESSAGE).then(() => assert.fail('expected a refusal'), (e: Error) => e);
    assert.match(e1.message, /telegram refused the bot token \(HTTP 401\): check TELEGRAM_BOT_TOKEN/);
    const e2 = await new TelegramNotifier({ botToken: TOKEN, chatId: '7', apiUrl: fake.url }).send(MESSAGE).then(() => assert.fail('expected chat not found'), (e: Error) => e);
    assert.match(e2.message, /chat not found: check TELEGRAM_CHAT_ID/);
    for (const e of [e1, e2]) {
      let all = '';
      for (let c: unknown = e; c instanceof Error; c = c.cause) all += `${c.message}\n`;
      assert.ok(!all.includes('AAother-token') && !all.includes('AAbot-token'), all);
    }
    assert.equal(fake.http.requests.length, 2, 'client errors are not retried');
    assert.throws(() => new TelegramNotifier({ botToken: 'not a token', chatId: '42' }), /TELEGRAM_BOT_TOKEN: expected a bot token/);
    assert.throws(() => new TelegramNotifier({ botToken: TOKEN, chatId: 'my chat' }), /TELEGRAM_CHAT_ID: expected a numeric chat id or an @channel name/);
  } finally {
    await fake.close();
  }
});

test('telegram: a text over 4096 characters is cut to what Telegram accepts', async () => {
  const fake = await startTelegramFake({ token: TOKEN, chats: ['42'] });
  try {
    await new TelegramNotifier({ botToken: TOKEN, chatId: '42', apiUrl: fake.url }).send({ ...MESSAGE, text: 'x'.repeat(10_000) });
    assert.equal(fake.sent[0]!.text.length, 4096);
    assert.ok(fake.sent[0]!.text.endsWith('…'));
  } finally {
    await fake.close();
  }
});

test('webhook: one JSON POST of { text, source, event, asOf, problems }; a plain-text 200 counts as delivered', async () => {
  const fake = await new HttpFake(() => ({ status: 200, raw: 'ok' })).start();
  try {
    const hook = new WebhookNotifier({ url: `${fake.url}/services/T000/B000/secretpart` });
    assert.equal(hook.name, `webhook ${fake.url}`, 'the channel is named without its secret path');
    await hook.send(MESSAGE);
    const req = fake.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/services/T000/B000/secretpart');
    assert.match(String(req.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(req.body), { text: MESSAGE.text, source: 'stockcast', event: 'trade-status', asOf: MESSAGE.asOf, problems: MESSAGE.problems });
  } finally {
    await fake.close();
  }
});

test('webhook: 503 and 429 are retried, a 404 is not and its error names neither the path nor the query', async () => {
  const fake = await new HttpFake(() => ({ status: 204 })).start();
  fake.faults.push({ status: 503 }, { status: 429, retryAfter: '2' });
  const r = recorder();
  try {
    await new WebhookNotifier({ url: `${fake.url}/hook/abcdef123456`, ...r }).send(MESSAGE);
    assert.equal(fake.requests.length, 3);
    assert.equal(r.waits[1], 2000);
    fake.faults.push({ status: 404, body: 'no such hook' });
    const err = await new WebhookNotifier({ url: `${fake.url}/hook/abcdef123456?token=qwertyuiop`, ...r }).send(MESSAGE).then(() => assert.fail('expected a 404'), (e: Error) => e);
    assert.match(err.message, /HTTP 404/);
    assert.ok(!err.message.includes('abcdef123456') && !err.message.includes('qwertyuiop'), err.message);
    assert.equal(fake.requests.length, 4);
  } finally {
    await fake.close();
  }
});

test('deliverAlert: a failing channel does not stop the others, and each outcome is reported', async () => {
  const ok: Notifier = { name: 'ok channel', send: async () => {} };
  const broken: Notifier = { name: 'broken channel', send: async () => Promise.reject(new Error('down')) };
  assert.deepEqual(await deliverAlert([broken, ok], MESSAGE), [
    { channel: 'broken channel', ok: false, error: 'down' },
    { channel: 'ok channel', ok: true },
  ]);
});

const order = (symbol: string, status: LedgerOrder['status'], error?: string): LedgerOrder => ({
  symbol, quantity: 1, orderType: 'buy', clientOrderId: `sc-${symbol}`, status, filledQty: status === 'filled' ? 1 : 0, filledAvgPrice: status === 'filled' ? 10 : null, brokerOrderId: null, ...(error ? { error } : {}),
});
const run = (modelId: string, runDate: string, runStatus: LedgerRun['runStatus'], orders: LedgerOrder[] = []): LedgerRun => ({
  modelId, orderTimestamp: `${runDate}T05:00:00.000Z`, runDate, totalMoneyInvested: 0, moneyAvailable: 25_000, runStatus, orders, startedAt: `${runDate}T15:00:00.000Z`, updatedAt: `${runDate}T15:01:00.000Z`,
});

test('runProblems: a missed run, a run left unfinished, rejected orders; a model on schedule has none', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-alert-'));
  const ledger = await DuckDbOrderLedger.open(join(dir, 'ledger.duckdb'));
  try {
    await ledger.putRun(run('late', '2025-01-02', 'complete'));
    await ledger.putRun(run('stuck', '2025-01-07', 'buying'));
    await ledger.putRun(run('refused', '2025-01-07', 'complete', [order('AAPL', 'filled'), order('MSFT', 'rejected', 'insufficient buying power')]));
    await ledger.putRun(run('fine', '2025-01-07', 'complete', [order('AAPL', 'filled')]));
    const now = new Date('2025-01-08T14:00:00Z');
    const problems = await runProblems(ledger, now, () => 1);
    assert.deepEqual(problems.map((p) => [p.modelId, p.kind]).sort(), [['late', 'missed'], ['refused', 'rejected'], ['stuck', 'unfinished']]);
    assert.match(problems.find((p) => p.kind === 'rejected')!.detail, /1 rejected order\(s\) on 2025-01-07: buy MSFT: insufficient buying power/);
    assert.match(problems.find((p) => p.kind === 'missed')!.detail, /no run since 2025-01-02; the next was due 2025-01-03/);
    const text = alertMessage(problems, now, 'host1').text;
    assert.match(text, /^stockcast on host1: 3 trading problem\(s\) as of 2025-01-08/);
    assert.equal(await runProblems(ledger, now, (m) => (m === 'late' ? 5 : 1)).then((p) => p.filter((x) => x.modelId === 'late').length), 0, 'each model judged by its own interval');
  } finally {
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  }
});
