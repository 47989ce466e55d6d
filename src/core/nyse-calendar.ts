import { addDays, nyDate, nyParts, nyWallTimeToUtc, weekdayOf } from './ny-time.js';

/** Trading days of the New York Stock Exchange, computed by the exchange's holiday rules (2000–2035). */

const SPECIAL_CLOSURES = new Set([
  '2001-09-11', '2001-09-12', '2001-09-13', '2001-09-14', '2004-06-11', '2007-01-02', '2012-10-29', '2012-10-30',
  '2018-12-05', '2025-01-09',
]);

const holidayCache = new Map<number, Set<string>>();

function ymd(y: number, m: number, d: number): string {
  return new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);
}

/** The n-th given weekday (Mon=0) of a month; n = -1 for the last. */
function nthWeekday(y: number, m: number, weekday: number, n: number): string {
  if (n > 0) {
    const first = ymd(y, m, 1);
    const shift = (weekday - weekdayOf(first) + 7) % 7;
    return ymd(y, m, 1 + shift + (n - 1) * 7);
  }
  const last = ymd(y, m + 1, 0);
  const back = (weekdayOf(last) - weekday + 7) % 7;
  return addDays(last, -back);
}

/** Easter Sunday (Gregorian computus, anonymous algorithm). */
function easter(y: number): string {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(y, month, day);
}

/** A fixed-date holiday moved to Friday when on Saturday and to Monday when on Sunday. */
function observed(date: string): string {
  const wd = weekdayOf(date);
  if (wd === 5) return addDays(date, -1);
  if (wd === 6) return addDays(date, 1);
  return date;
}

function holidays(y: number): Set<string> {
  let set = holidayCache.get(y);
  if (set) return set;
  set = new Set<string>();
  // New Year's Day: a Saturday New Year is not made up on the Friday before (NYSE Rule 7.2)
  const ny = ymd(y, 1, 1);
  if (weekdayOf(ny) === 6) set.add(ymd(y, 1, 2));
  else if (weekdayOf(ny) !== 5) set.add(ny);
  set.add(nthWeekday(y, 1, 0, 3)); // Martin Luther King Jr. Day
  set.add(nthWeekday(y, 2, 0, 3)); // Washington's Birthday
  set.add(addDays(easter(y), -2)); // Good Friday
  set.add(nthWeekday(y, 5, 0, -1)); // Memorial Day
  if (y >= 2022) set.add(observed(ymd(y, 6, 19))); // Juneteenth
  set.add(observed(ymd(y, 7, 4)));
  set.add(nthWeekday(y, 9, 0, 1)); // Labor Day
  set.add(nthWeekday(y, 11, 3, 4)); // Thanksgiving
  set.add(observed(ymd(y, 12, 25)));
  holidayCache.set(y, set);
  return set;
}

/** True when the exchange holds a regular session on a `YYYY-MM-DD` date. */
export function isTradingDay(date: string): boolean {
  if (weekdayOf(date) >= 5) return false;
  if (SPECIAL_CLOSURES.has(date)) return false;
  return !holidays(Number(date.slice(0, 4))).has(date);
}

/** Trading days from start to end, inclusive, ascending. */
export function tradingDaysBetween(start: string, end: string): string[] {
  const out: string[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) if (isTradingDay(d)) out.push(d);
  return out;
}

/** The first trading day strictly after a date. */
export function nextTradingDay(date: string): string {
  let d = addDays(date, 1);
  while (!isTradingDay(d)) d = addDays(d, 1);
  return d;
}

/** The last trading day strictly before a date. */
export function previousTradingDay(date: string): string {
  let d = addDays(date, -1);
  while (!isTradingDay(d)) d = addDays(d, -1);
  return d;
}

/** Moves n trading days forward (n > 0) or back (n < 0) from a date. */
export function addTradingDays(date: string, n: number): string {
  let d = date;
  for (let i = 0; i < Math.abs(n); i++) d = n > 0 ? nextTradingDay(d) : previousTradingDay(d);
  return d;
}

/** Regular-session close (`HH:MM`, New York) of a trading day: 13:00 on early-close days. */
export function sessionClose(date: string): string {
  const y = Number(date.slice(0, 4));
  const wd = weekdayOf(date);
  const thanksgiving = nthWeekday(y, 11, 3, 4);
  if (date === addDays(thanksgiving, 1)) return '13:00';
  if (date === ymd(y, 12, 24) && wd < 5) return '13:00';
  if (date === ymd(y, 7, 3) && wd < 5 && isTradingDay(date)) return '13:00';
  return '16:00';
}

/** Whether the regular session is open at an instant, and the next open and close (what a broker's clock reports). */
export interface MarketSession {
  isOpen: boolean;
  nextOpen: Date;
  nextClose: Date;
}

/** The regular session (09:30 to the day's close, New York) at an instant, by the NYSE calendar. */
export function marketSession(now: Date): MarketSession {
  const date = nyDate(now);
  const p = nyParts(now);
  const minutes = p.hour * 60 + p.minute;
  const [ch, cm] = sessionClose(date).split(':').map(Number) as [number, number];
  const trading = isTradingDay(date);
  const isOpen = trading && minutes >= 570 && minutes < ch * 60 + cm;
  const openDay = trading && minutes < 570 ? date : nextTradingDay(date);
  const closeDay = trading && minutes < ch * 60 + cm ? date : nextTradingDay(date);
  return { isOpen, nextOpen: nyWallTimeToUtc(openDay, '09:30'), nextClose: nyWallTimeToUtc(closeDay, sessionClose(closeDay)) };
}
