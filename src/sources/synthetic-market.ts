/**
 * A deterministic synthetic stock market for the offline demo and tests.
 *
 * Every symbol's daily path is generated from (seed, symbol) over a fixed calendar starting 2010-01-04 on NYSE
 * trading days, so the same seed, symbol and date always give the same bar, whatever range or other symbols
 * are requested (overlapping backfills agree).
 *
 * Realism: the open-to-open log return of symbol i on day t is
 *   r = mu + beta_i·market_t + sector_{s(i),t} + sigma_{i,t}·z,
 * with GARCH(1,1) volatility clustering in sigma, earnings roughly every 63 trading days with a surprise
 * (percentage points, N(0, 8)) and a jump on that day proportional to the surprise, volume that rises on big
 * moves and earnings days, trade_count ≈ volume / average trade size, vwap inside [low, high].
 *
 * The learnable component (the "signal", weak against ~1.5 % daily noise) is `mu`:
 *   (a) short-term reversal: −0.15 × the previous open-to-open return;
 *   (b) a day-of-week drift on the open: Mon +0.10 %, Tue +0.05 %, Wed 0, Thu −0.03 %, Fri −0.06 %;
 *   (c) post-earnings drift: on each of the 5 trading days after an earnings day, +0.02 % × surprise.
 * A model that sees past opens, day_of_week and the earnings features can learn all three.
 */
import type { Bar, EarningsEvent } from '../core/types.js';
import { formatTimeFrame } from '../core/time-frame.js';
import { nyDate, nyMidnightUtc } from '../core/ny-time.js';
import { tradingDaysBetween } from '../core/nyse-calendar.js';
import { Random } from '../core/random.js';
import type { BarRequest, BarResult, MarketDataSource, ProgressFn } from './market-data-source.js';
import type { EarningsResult, EarningsSource } from './earnings-source.js';

/** One-line description of the learnable signal, for the README and the demo. */
export const SYNTHETIC_SIGNAL =
  'next open-to-open return = -0.15 × previous return + day-of-week drift (Mon +0.10 % … Fri -0.06 %) + 0.02 % × surprise for 5 days after earnings';

const EPOCH = '2010-01-04';
const LAST = '2030-12-31';
const DOW_DRIFT = [0.001, 0.0005, 0, -0.0003, -0.0006];
const REVERSAL = -0.15;
const PEAD_PER_POINT = 0.0002;
const PEAD_DAYS = 5;
const EARNINGS_EVERY = 63;

/** Options of the synthetic market. */
export interface SyntheticMarketOptions {
  seed?: number;
  /** Tickers; default SYN00 … SYN39. */
  symbols?: string[];
  sectors?: number;
}

interface SymbolPath {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  tradeCount: Float64Array;
  vwap: Float64Array;
  /** Surprise on earnings days, NaN otherwise. */
  surprise: Float64Array;
}

/** The synthetic market: a bar source and an earnings calendar in one, fully offline. */
export class SyntheticMarket implements MarketDataSource, EarningsSource {
  readonly name = 'synthetic';
  readonly symbols: string[];
  private readonly seed: number;
  private readonly sectors: number;
  private readonly days: string[];
  private readonly dayIndex: Map<string, number>;
  private factors: { market: Float64Array; sector: Float64Array[] } | undefined;
  private readonly paths = new Map<string, SymbolPath>();

  constructor(options: SyntheticMarketOptions = {}) {
    this.seed = options.seed ?? 42;
    this.sectors = options.sectors ?? 5;
    this.symbols = options.symbols ?? Array.from({ length: 40 }, (_, i) => `SYN${String(i).padStart(2, '0')}`);
    this.days = tradingDaysBetween(EPOCH, LAST);
    this.dayIndex = new Map(this.days.map((d, i) => [d, i]));
  }

  /** {@inheritDoc MarketDataSource.fetchBars} */
  async fetchBars(request: BarRequest, onProgress?: ProgressFn): Promise<BarResult> {
    if (formatTimeFrame(request.timeFrame) !== '1Day') {
      throw new Error(`the synthetic market provides daily bars only (time frame 1Day), not ${formatTimeFrame(request.timeFrame)}`);
    }
    const [from, to] = this.range(request.start, request.end);
    const bars = new Map<string, Bar[]>();
    request.symbols.forEach((symbol, k) => {
      const p = this.path(symbol);
      const list: Bar[] = [];
      for (let t = from; t <= to; t++) {
        list.push({
          symbol,
          timestamp: nyMidnightUtc(this.days[t]!),
          open: p.open[t]!,
          high: p.high[t]!,
          low: p.low[t]!,
          close: p.close[t]!,
          volume: p.volume[t]!,
          tradeCount: p.tradeCount[t]!,
          vwap: p.vwap[t]!,
        });
      }
      bars.set(symbol, list);
      onProgress?.(k + 1, request.symbols.length);
    });
    return { bars, failures: [] };
  }

  /** {@inheritDoc EarningsSource.fetchEarnings} */
  async fetchEarnings(symbols: string[], start: Date, end: Date, onProgress?: ProgressFn): Promise<EarningsResult> {
    const [from, to] = this.range(start, end);
    const events: EarningsEvent[] = [];
    symbols.forEach((symbol, k) => {
      const p = this.path(symbol);
      for (let t = from; t <= to; t++) {
        if (!Number.isNaN(p.surprise[t]!)) events.push({ symbol, date: this.days[t]!, surprise: p.surprise[t]! });
      }
      onProgress?.(k + 1, symbols.length);
    });
    return { events, failures: [] };
  }

  /** Index range of trading days within [start, end]. */
  private range(start: Date, end: Date): [number, number] {
    const first = nyDate(start);
    const last = nyDate(end);
    if (first < EPOCH || last > LAST) {
      throw new Error(`the synthetic market covers ${EPOCH}..${LAST}; requested ${first}..${last}`);
    }
    let from = 0;
    while (from < this.days.length && this.days[from]! < first) from++;
    let to = from - 1;
    while (to + 1 < this.days.length && this.days[to + 1]! <= last) to++;
    return [from, to];
  }

  private commonFactors(): { market: Float64Array; sector: Float64Array[] } {
    if (!this.factors) {
      const n = this.days.length;
      const rng = new Random(this.seed).fork('factors');
      const market = new Float64Array(n);
      for (let t = 0; t < n; t++) market[t] = 0.0003 + 0.008 * rng.normal();
      const sector = Array.from({ length: this.sectors }, (_, s) => {
        const r = rng.fork(`sector-${s}`);
        const a = new Float64Array(n);
        for (let t = 0; t < n; t++) a[t] = 0.005 * r.normal();
        return a;
      });
      this.factors = { market, sector };
    }
    return this.factors;
  }

  /** Generates (once) the full daily path of a symbol. */
  private path(symbol: string): SymbolPath {
    const cached = this.paths.get(symbol);
    if (cached) return cached;
    const n = this.days.length;
    const { market, sector } = this.commonFactors();
    const rng = new Random(this.seed).fork(`symbol-${symbol}`);
    const sectorOf = rng.int(this.sectors);
    const beta = 0.6 + 0.8 * rng.uniform();
    const idioVol = 0.009 + 0.008 * rng.uniform();
    const earningsOffset = rng.int(EARNINGS_EVERY);
    const avgTradeSize = 80 + rng.int(120);
    const baseVolume = Math.exp(13 + 1.5 * rng.uniform());
    let price = 20 + 180 * rng.uniform();
    const p: SymbolPath = {
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
      volume: new Float64Array(n),
      tradeCount: new Float64Array(n),
      vwap: new Float64Array(n),
      surprise: new Float64Array(n).fill(NaN),
    };
    // GARCH(1,1) on the idiosyncratic shock, scaled so the long-run variance is idioVol²
    const alpha = 0.08;
    const betaG = 0.9;
    const omega = idioVol * idioVol * (1 - alpha - betaG);
    let variance = idioVol * idioVol;
    let prevReturn = 0;
    let prevShock = 0;
    let lastSurprise = 0;
    let daysSinceEarnings = Infinity;
    for (let t = 0; t < n; t++) {
      variance = omega + alpha * prevShock * prevShock + betaG * variance;
      const sigma = Math.sqrt(variance);
      const weekday = (new Date(`${this.days[t]}T12:00:00Z`).getUTCDay() + 6) % 7;
      let mu = REVERSAL * prevReturn + (DOW_DRIFT[weekday] ?? 0);
      if (daysSinceEarnings >= 1 && daysSinceEarnings <= PEAD_DAYS) mu += PEAD_PER_POINT * lastSurprise;
      const shock = sigma * rng.normal();
      let r = mu + beta * market[t]! + sector[sectorOf]![t]! + shock;
      const isEarnings = (t + earningsOffset) % EARNINGS_EVERY === 0;
      if (isEarnings) {
        const surprise = Math.round(8 * rng.normal() * 100) / 100;
        p.surprise[t] = surprise;
        r += 0.0015 * surprise;
        lastSurprise = surprise;
        daysSinceEarnings = 0;
      } else {
        daysSinceEarnings++;
      }
      price = t === 0 ? price : price * Math.exp(r);
      const open = price;
      const close = open * Math.exp(0.6 * sigma * rng.normal());
      const high = Math.max(open, close) * Math.exp(Math.abs(0.4 * sigma * rng.normal()));
      const low = Math.min(open, close) * Math.exp(-Math.abs(0.4 * sigma * rng.normal()));
      const volume = Math.round(baseVolume * Math.exp(0.3 * rng.normal() + 25 * Math.abs(r)) * (isEarnings ? 2.5 : 1));
      p.open[t] = round2(open);
      p.close[t] = round2(close);
      p.high[t] = Math.max(round2(high), p.open[t]!, p.close[t]!);
      p.low[t] = Math.min(round2(low), p.open[t]!, p.close[t]!);
      p.volume[t] = volume;
      p.tradeCount[t] = Math.max(1, Math.round(volume / avgTradeSize));
      p.vwap[t] = round4((p.open[t]! + p.high[t]! + p.low[t]! + 2 * p.close[t]!) / 5);
      prevReturn = r;
      prevShock = shock;
    }
    this.paths.set(symbol, p);
    return p;
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}
