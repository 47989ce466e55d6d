import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTimeFrame, isIntraday, parseTimeFrame, timeFrameFromSeed } from '../../src/core/time-frame.js';

test('parses and formats Alpaca time frames', () => {
  assert.deepEqual(parseTimeFrame('1Day'), { amount: 1, unit: 'Day' });
  assert.deepEqual(parseTimeFrame('10Min'), { amount: 10, unit: 'Min' });
  assert.equal(formatTimeFrame(parseTimeFrame('1Hour')), '1Hour');
  assert.equal(isIntraday(parseTimeFrame('10Min')), true);
  assert.equal(isIntraday(parseTimeFrame('1Day')), false);
});

test('rejects invalid time frames with the accepted forms', () => {
  assert.throws(() => parseTimeFrame('2Day'), /expected <n>Min/);
  assert.throws(() => parseTimeFrame('60Min'), /invalid time frame "60Min"/);
  assert.throws(() => parseTimeFrame('daily'), /invalid time frame/);
});

test('maps the seed config unit/amount pair', () => {
  assert.deepEqual(timeFrameFromSeed('Day', 1), { amount: 1, unit: 'Day' });
  assert.deepEqual(timeFrameFromSeed('Minute', 10), { amount: 10, unit: 'Min' });
  assert.throws(() => timeFrameFromSeed('Fortnight', 1), /time_frame_unit/);
});
