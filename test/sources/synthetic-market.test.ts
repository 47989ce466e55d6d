import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyntheticMarket } from '../../src/sources/synthetic-market.js';
import { parseTimeFrame } from '../../src/core/time-frame.js';

const day = parseTimeFrame('1Day');
const range = (a: string, b: string) => ({ start: new Date(`${a}T05:00:00Z`), end: new Date(`${b}T05:00:00Z`), timeFrame: day });

test('deterministic: same seed, symbol and date give the same bar whatever else is requested', async () => {
  const a = await new SyntheticMarket({ seed: 7 }).fetchBars({ symbols: ['SYN01'], ...range('2020-01-01', '2020-03-31') });
  const b = await new SyntheticMarket({ seed: 7 }).fetchBars({ symbols: ['SYN05', 'SYN01'], ...range('2020-02-03', '2020-12-31') });
  const feb = (bars: typeof a) => bars.bars.get('SYN01')!.filter((x) => x.timestamp.toISOString().startsWith('2020-02-1'));
  assert.ok(feb(a).length > 5);
  assert.deepEqual(feb(a), feb(b));
  const c = await new SyntheticMarket({ seed: 8 }).fetchBars({ symbols: ['SYN01'], ...range('2020-01-01', '2020-03-31') });
  assert.notDeepEqual(c.bars.get('SYN01')![0]!.open, a.bars.get('SYN01')![0]!.open);
});

test('bars are consistent OHLC on trading days, with volume, trade count and vwap', async () => {
  const m = new SyntheticMarket();
  const r = await m.fetchBars({ symbols: m.symbols, ...range('2019-01-01', '2019-12-31') });
  for (const bars of r.bars.values()) {
    assert.equal(bars.length, 252);
    for (const b of bars) {
      assert.ok(b.low <= Math.min(b.open, b.close) && b.high >= Math.max(b.open, b.close));
      assert.ok(b.vwap! >= b.low && b.vwap! <= b.high);
      assert.ok(b.volume > 0 && b.tradeCount! > 0);
    }
  }
});

test('earnings come every ~63 trading days with surprises', async () => {
  const m = new SyntheticMarket();
  const { events } = await m.fetchEarnings(['SYN00', 'SYN01'], new Date('2019-01-01T05:00:00Z'), new Date('2019-12-31T05:00:00Z'));
  const perSymbol = events.filter((e) => e.symbol === 'SYN00');
  assert.ok(perSymbol.length >= 3 && perSymbol.length <= 5, `${perSymbol.length} earnings in a year`);
  assert.ok(events.every((e) => typeof e.surprise === 'number'));
});

test('the documented signal is present: open-to-open returns revert and earnings surprises drift', async () => {
  const m = new SyntheticMarket();
  const r = await m.fetchBars({ symbols: m.symbols, ...range('2012-01-01', '2024-12-31') });
  let num = 0;
  let den = 0;
  for (const bars of r.bars.values()) {
    for (let t = 2; t < bars.length; t++) {
      const prev = Math.log(bars[t - 1]!.open / bars[t - 2]!.open);
      const cur = Math.log(bars[t]!.open / bars[t - 1]!.open);
      num += prev * cur;
      den += prev * prev;
    }
  }
  // regression slope of r_t on r_{t-1}: the generator's idiosyncratic −0.15 diluted by common factors
  const slope = num / den;
  assert.ok(slope < -0.05 && slope > -0.2, `slope ${slope}`);
});
