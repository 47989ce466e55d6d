import type { TimeFrame } from '../core/time-frame.js';
import { formatTimeFrame, isIntraday } from '../core/time-frame.js';
import { nyParts, type NyParts } from '../core/ny-time.js';

/**
 * Time features in New-York local time: year, month (1–12), day_of_month, day_of_week (Mon=0, as pandas),
 * and for intraday frames hour_of_day and minute_of_day (hour·60 + minute).
 */
export function timeFeatureValue(feature: string, timestamp: Date, timeFrame: TimeFrame): number {
  if ((feature === 'hour_of_day' || feature === 'minute_of_day') && !isIntraday(timeFrame)) {
    throw new Error(`${feature} needs an intraday time frame (e.g. 1Hour, 10Min), not ${formatTimeFrame(timeFrame)}`);
  }
  return timeFeatureFromParts(feature, nyParts(timestamp));
}

/** A time feature from New-York wall-clock parts. */
export function timeFeatureFromParts(feature: string, p: NyParts): number {
  switch (feature) {
    case 'year':
      return p.year;
    case 'month':
      return p.month;
    case 'day_of_month':
      return p.day;
    case 'day_of_week':
      return p.weekday;
    case 'hour_of_day':
      return p.hour;
    case 'minute_of_day':
      return p.hour * 60 + p.minute;
    default:
      throw new Error(`${feature} is not a time feature: expected year, month, day_of_month, day_of_week, hour_of_day or minute_of_day`);
  }
}
