import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { addTradingDays, isTradingDay, nextTradingDay, sessionClose, tradingDaysBetween } from '../../src/core/nyse-calendar.js';

test('known holidays and trading-day counts per year', () => {
  assert.equal(tradingDaysBetween('2015-01-01', '2015-12-31').length, 252);
  assert.equal(tradingDaysBetween('2016-01-01', '2016-12-31').length, 252);
  assert.equal(tradingDaysBetween('2017-01-01', '2017-12-31').length, 251);
  assert.equal(tradingDaysBetween('2018-01-01', '2018-12-31').length, 251);
  for (const d of ['2018-12-05', '2016-03-25', '2022-06-20', '2021-12-24', '2023-01-02', '2012-10-29']) assert.equal(isTradingDay(d), false, d);
  // New Year 2022 fell on a Saturday: no Friday make-up holiday on 2021-12-31
  assert.equal(isTradingDay('2021-12-31'), true);
  assert.equal(nextTradingDay('2024-07-03'), '2024-07-05');
  assert.equal(addTradingDays('2024-12-23', 2), '2024-12-26');
  assert.equal(addTradingDays('2024-12-26', -2), '2024-12-23');
  assert.equal(sessionClose('2024-11-29'), '13:00');
  assert.equal(sessionClose('2024-07-03'), '13:00');
  assert.equal(sessionClose('2024-07-05'), '16:00');
});

test('matches every trading date of the real S&P 500 bars (committed fixture) 2015-01-12..2018-12-31', async () => {
  const path = fileURLToPath(new URL('../fixtures/sp500-6-symbols-2015-2018.csv.gz', import.meta.url));
  const dates = new Set<string>();
  let header = true;
  for await (const line of createInterface({ input: createReadStream(path).pipe(createGunzip()) })) {
    if (header) {
      header = false;
      continue;
    }
    dates.add(line.split(',')[1]!);
  }
  assert.equal(dates.size, 1000);
  assert.deepEqual(tradingDaysBetween('2015-01-12', '2018-12-31'), [...dates].sort());
});
