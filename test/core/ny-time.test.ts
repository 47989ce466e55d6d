import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nyDate, nyMidnightUtc, nyParts, nyWallTimeToUtc, weekdayOf } from '../../src/core/ny-time.js';
import { timeFeatureValue } from '../../src/features/time-features.js';
import { parseTimeFrame } from '../../src/core/time-frame.js';

test('New-York midnight and wall times in UTC across DST', () => {
  assert.equal(nyMidnightUtc('2024-01-02').toISOString(), '2024-01-02T05:00:00.000Z');
  assert.equal(nyMidnightUtc('2024-07-01').toISOString(), '2024-07-01T04:00:00.000Z');
  assert.equal(nyMidnightUtc('2024-03-10').toISOString(), '2024-03-10T05:00:00.000Z');
  assert.equal(nyMidnightUtc('2024-03-11').toISOString(), '2024-03-11T04:00:00.000Z');
  assert.equal(nyWallTimeToUtc('2024-11-04', '09:30').toISOString(), '2024-11-04T14:30:00.000Z');
  assert.equal(nyDate(new Date('2024-01-03T03:00:00Z')), '2024-01-02');
  assert.equal(weekdayOf('2024-01-01'), 0);
  assert.deepEqual(nyParts(new Date('2024-07-01T13:35:00Z')), { year: 2024, month: 7, day: 1, hour: 9, minute: 35, weekday: 0 });
});

test('time features follow the seed rules per time frame', () => {
  const day = parseTimeFrame('1Day');
  const t = new Date('2018-01-05T05:00:00Z'); // Friday 2018-01-05
  assert.deepEqual(['year', 'month', 'day_of_month', 'day_of_week'].map((f) => timeFeatureValue(f, t, day)), [2018, 1, 5, 4]);
  assert.throws(() => timeFeatureValue('hour_of_day', t, day), /hour_of_day needs an intraday time frame/);
  const tenMin = parseTimeFrame('10Min');
  const bar = new Date('2024-07-01T14:40:00Z'); // 10:40 New York
  assert.equal(timeFeatureValue('hour_of_day', bar, tenMin), 10);
  assert.equal(timeFeatureValue('minute_of_day', bar, tenMin), 640);
});
