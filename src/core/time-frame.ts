/** Bar time frames stockcast understands, in Alpaca's spelling (`1Day`, `1Hour`, `10Min`, …). */
export type TimeFrameUnit = 'Min' | 'Hour' | 'Day' | 'Week' | 'Month';

export interface TimeFrame {
  amount: number;
  unit: TimeFrameUnit;
}

const UNIT_LIMITS: Record<TimeFrameUnit, (n: number) => boolean> = {
  Min: (n) => n >= 1 && n <= 59,
  Hour: (n) => n >= 1 && n <= 23,
  Day: (n) => n === 1,
  Week: (n) => n === 1,
  Month: (n) => [1, 2, 3, 6, 12].includes(n),
};

/** Parses `1Day`, `10Min`, `1Hour`, … into a TimeFrame, or throws with the accepted forms. */
export function parseTimeFrame(text: string): TimeFrame {
  const m = /^(\d+)(Min|Hour|Day|Week|Month)$/.exec(text.trim());
  const amount = m ? Number(m[1]) : NaN;
  const unit = m?.[2] as TimeFrameUnit | undefined;
  if (!unit || !UNIT_LIMITS[unit](amount)) {
    throw new Error(
      `invalid time frame "${text}": expected <n>Min (1-59), <n>Hour (1-23), 1Day, 1Week or <1|2|3|6|12>Month, e.g. 1Day, 1Hour, 10Min`,
    );
  }
  return { amount, unit };
}

/** Formats a TimeFrame the way the feature store's `time_frame` column and Alpaca's API spell it. */
export function formatTimeFrame(tf: TimeFrame): string {
  return `${tf.amount}${tf.unit}`;
}

/** True for frames shorter than a day, whose bars carry a time of day. */
export function isIntraday(tf: TimeFrame): boolean {
  return tf.unit === 'Min' || tf.unit === 'Hour';
}

/** Builds a TimeFrame from the seed config's `time_frame_unit` / `time_frame_amount` pair. */
export function timeFrameFromSeed(unit: string, amount: number): TimeFrame {
  const normalized = unit.replace(/s$/i, '').toLowerCase();
  const map: Record<string, TimeFrameUnit> = { min: 'Min', minute: 'Min', hour: 'Hour', day: 'Day', week: 'Week', month: 'Month' };
  const u = map[normalized];
  if (!u) throw new Error(`invalid time_frame_unit "${unit}": expected Minute, Hour, Day, Week or Month`);
  return parseTimeFrame(`${amount}${u}`);
}
