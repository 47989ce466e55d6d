/** New-York wall-clock helpers (the exchange's time zone), built on Intl with no extra dependency. */

const formatter = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  weekday: 'short',
});
const WEEKDAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/** Wall-clock parts of an instant in New York; weekday Mon=0 … Sun=6 (pandas `dayofweek`). */
export interface NyParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

/** Splits an instant into New-York wall-clock parts. */
export function nyParts(d: Date): NyParts {
  const parts: Record<string, string> = {};
  for (const p of formatter.formatToParts(d)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday!] ?? -1,
  };
}

/** The New-York calendar date of an instant, `YYYY-MM-DD`. */
export function nyDate(d: Date): string {
  const p = nyParts(d);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** UTC offset of New York in minutes (−300 in winter, −240 in summer) at an instant. */
function nyOffsetMinutes(d: Date): number {
  const p = nyParts(d);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return Math.round((asUtc - Math.floor(d.getTime() / 60000) * 60000) / 60000);
}

/** The instant of a New-York wall-clock time on a date (`HH:MM`). */
export function nyWallTimeToUtc(date: string, time: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  // the offset at the guess is right except within an hour of a DST switch; one correction settles it
  let t = guess - nyOffsetMinutes(new Date(guess)) * 60000;
  t = guess - nyOffsetMinutes(new Date(t)) * 60000;
  return new Date(t);
}

/** New-York midnight of a date, in UTC (05:00Z in winter, 04:00Z in summer) — Alpaca's daily bar time. */
export function nyMidnightUtc(date: string): Date {
  return nyWallTimeToUtc(date, '00:00');
}

/** Weekday of a `YYYY-MM-DD` date, Mon=0 … Sun=6. */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** Adds days to a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** True for a real calendar date written YYYY-MM-DD (no 2025-02-30). */
export function isRealDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}
