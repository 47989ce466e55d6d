import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskThenCut, redactDeep, redactSecrets, registerSecret } from '../../src/core/redact.js';
import { requestJson } from '../../src/core/http/http-json.js';
import { HttpFake } from '../fakes/http-fake.js';

test('a secret that straddles the cut is masked whole, never printed minus its tail', () => {
  const secret = 'straddle-secret-7Qx9';
  registerSecret(secret);
  const body = `${'x'.repeat(190)}${secret}${'y'.repeat(50)}`; // the secret spans characters 190…209, the cut is at 200
  const cut = maskThenCut(body, 200);
  assert.equal(cut, `${'x'.repeat(190)}****${'y'.repeat(6)}…`);
  for (let n = 1; n < secret.length; n++) assert.ok(!cut.includes(secret.slice(0, n + 4)), 'no prefix of the secret survives');
  // the bug this replaces: cutting first leaves all but the last characters, which no mask recognises
  assert.ok(redactSecrets(body.slice(0, 200)).includes(secret.slice(0, 10)));
});

test('a secret is masked in its URL-encoded and JSON-escaped forms; a longer secret containing a shorter one is masked whole', () => {
  registerSecret('123456:AA-bot/token');
  assert.equal(redactSecrets(`url /bot${encodeURIComponent('123456:AA-bot/token')}/sendMessage`), 'url /bot****/sendMessage');
  registerSecret('quote"secret\\x');
  assert.equal(redactSecrets(JSON.stringify({ v: 'quote"secret\\x' })), '{"v":"****"}');
  registerSecret('inner-secret');
  registerSecret('outer-inner-secret-long');
  assert.equal(redactSecrets('a outer-inner-secret-long b inner-secret'), 'a **** b ****');
});

test('redactDeep masks every string of a JSON value, keys included, and leaves numbers alone', () => {
  registerSecret('deep-secret-42');
  assert.deepEqual(redactDeep({ a: ['deep-secret-42 x', 1.5, null], 'deep-secret-42': { b: true } }), { a: ['**** x', 1.5, null], '****': { b: true } });
});

test('an HTTP error body with a secret across the 200-character cut is reported masked (requestJson)', async () => {
  const secret = 'Qv7-body-secret-AbCdEf';
  registerSecret(secret);
  for (const offset of [185, 190, 195, 199]) {
    const raw = `${'e'.repeat(offset)}${secret}${'z'.repeat(100)}`;
    const fake = await new HttpFake(() => ({ status: 400, raw })).start();
    try {
      const err = await requestJson(`${fake.url}/x`).then(() => assert.fail('expected a 400'), (e: Error) => e);
      assert.match(err.message, /HTTP 400 e+\*/, 'the masked secret starts where it stood');
      for (let n = 4; n <= secret.length; n++) assert.ok(!err.message.includes(secret.slice(0, n)), `offset ${offset}: "${secret.slice(0, n)}" leaked in ${err.message}`);
    } finally {
      await fake.close();
    }
  }
});

test('a token in the URL path (Telegram-style) and a malformed JSON body never reach the message', async () => {
  const token = '987654:telegram-TOKEN-path';
  registerSecret(token);
  const fake = await new HttpFake(() => ({ status: 200, raw: `not json ${token} at all` })).start();
  try {
    const err = await requestJson(`${fake.url}/bot${token}/sendMessage`).then(() => assert.fail('expected malformed JSON'), (e: Error) => e);
    assert.match(err.message, /malformed JSON from http:\/\/127\.0\.0\.1:\d+\/bot\*\*\*\*\/sendMessage: .*not valid JSON/);
    assert.ok(!err.message.includes('TOKEN'), err.message);
    fake.faults.push({ status: 500, body: 'x' });
    const e500 = await requestJson(`${fake.url}/bot${token}/sendMessage`).then(() => assert.fail('expected a 500'), (e: Error) => e);
    assert.match(e500.message, /^GET http:\/\/127\.0\.0\.1:\d+\/bot\*\*\*\*\/sendMessage: HTTP 500/);
  } finally {
    await fake.close();
  }
});
