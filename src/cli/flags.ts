import { InvalidArgumentError, Option } from 'commander';
import { isRealDate } from '../core/ny-time.js';
import { isValidModelId, MODEL_ID_RULE, validateSymbols } from '../core/identifiers.js';

/**
 * Parsers for every flag value a command takes, and commander `Option`s built from them. A bad value stops the
 * command before anything runs, with commander's `error: option '--chunk-size <n>' argument 'abc' is invalid.`
 * followed by what was expected (the range). Every command uses these; a new command should too.
 */

/** An inclusive range for a numeric flag; `above` is an exclusive lower bound (`> 0`). */
export interface NumberRange {
  min?: number;
  max?: number;
  above?: number;
}

/** A parser as commander calls it: the text after the flag → the typed value (throws `InvalidArgumentError`). */
export type FlagParser<T> = (value: string) => T;

/** "an integer from 1 to 100000", "a number > 0", … */
export function describeRange(range: NumberRange, integer: boolean): string {
  const kind = integer ? 'an integer' : 'a number';
  const lower = range.above !== undefined ? `> ${range.above}` : range.min !== undefined ? `>= ${range.min}` : undefined;
  if (range.min !== undefined && range.max !== undefined) return `${kind} from ${range.min} to ${range.max}`;
  if (lower && range.max !== undefined) return `${kind} ${lower} and <= ${range.max}`;
  if (lower) return `${kind} ${lower}`;
  if (range.max !== undefined) return `${kind} <= ${range.max}`;
  return kind;
}

function inRange(x: number, r: NumberRange): boolean {
  return (r.min === undefined || x >= r.min) && (r.max === undefined || x <= r.max) && (r.above === undefined || x > r.above);
}

/** A finite decimal number as typed (no hex, no empty string, no `1e999`): `Number('')` is 0 and `Number('0x10')` is 16. */
function decimal(text: string): number {
  const t = text.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN;
}

/** A number flag within `range`, an integer when `integer`. */
function rangedNumber(range: NumberRange, integer: boolean): FlagParser<number> {
  const expected = describeRange(range, integer);
  return (value) => {
    const x = decimal(value);
    const ok = integer ? Number.isSafeInteger(x) : Number.isFinite(x);
    if (!ok || !inRange(x, range)) throw new InvalidArgumentError(`Expected ${expected}.`);
    return x;
  };
}

/** An integer flag within `range`. */
export function intFlag(range: NumberRange): FlagParser<number> {
  return rangedNumber(range, true);
}

/** A finite number flag within `range`. */
export function numberFlag(range: NumberRange): FlagParser<number> {
  return rangedNumber(range, false);
}

/** A comma list of numbers, each within `range` (integers when `integer`); at least one. */
export function numberListFlag(range: NumberRange, integer = false): FlagParser<number[]> {
  const expected = `a comma list, each ${describeRange(range, integer)}`;
  const one = rangedNumber(range, integer);
  return (value) => {
    const parts = value.split(',').map((s) => s.trim());
    if (parts.length === 0 || parts.some((p) => p === '')) throw new InvalidArgumentError(`Expected ${expected}.`);
    try {
      return parts.map((p) => one(p));
    } catch {
      throw new InvalidArgumentError(`Expected ${expected}.`);
    }
  };
}

/** A New-York calendar date `YYYY-MM-DD` that exists. */
export function dateFlag(): FlagParser<string> {
  return (value) => {
    if (!isRealDate(value)) throw new InvalidArgumentError('Expected a date YYYY-MM-DD.');
    return value;
  };
}

/** An ISO 8601 time with a date (e.g. 2025-01-06T15:00:00Z); a bare date means its UTC midnight. */
export function isoTimeFlag(): FlagParser<Date> {
  return (value) => {
    const t = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim()) ? new Date(value.trim()) : new Date(NaN);
    if (Number.isNaN(t.getTime())) throw new InvalidArgumentError('Expected an ISO time such as 2025-01-06T15:00:00Z.');
    return t;
  };
}

/** One of a fixed set of names. */
export function choiceFlag<T extends string>(choices: readonly T[]): FlagParser<T> {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`Expected one of ${choices.join(', ')}.`);
    return value as T;
  };
}

/** A model or config id: checked before any path, key or lock file is built from it. */
export function modelIdFlag(): FlagParser<string> {
  return (value) => {
    if (!isValidModelId(value)) throw new InvalidArgumentError(`Expected ${MODEL_ID_RULE}.`);
    return value;
  };
}

/** A comma list of model ids (duplicates dropped), each validated as `--model-id`. */
export function modelIdListFlag(): FlagParser<string[]> {
  const one = modelIdFlag();
  return (value) => [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))].map(one);
}

/** A comma list of tickers, upper-cased and validated. */
export function symbolListFlag(): FlagParser<string[]> {
  return (value) => {
    try {
      const symbols = validateSymbols(value.split(','), 'tickers');
      if (symbols.length === 0) throw new Error('empty');
      return symbols;
    } catch (err) {
      throw new InvalidArgumentError(`Expected a comma list of tickers (${(err as Error).message === 'empty' ? 'none given' : (err as Error).message.replace(/^tickers: /, '')}).`);
    }
  };
}

/**
 * A commander option whose value goes through `parse`; `defaultValue` is shown in --help and used as is. The
 * description gets the expected form appended when `expected` is given (e.g. "1–100000").
 */
export function flag<T>(flags: string, description: string, parse: FlagParser<T>, defaultValue?: T): Option {
  const option = new Option(flags, description).argParser((value: string) => parse(value));
  return defaultValue === undefined ? option : option.default(defaultValue);
}

/** `--model-id <id>`, validated, required unless `optional`. */
export function modelIdOption(description: string, options: { optional?: boolean } = {}): Option {
  const o = flag('--model-id <id>', description, modelIdFlag());
  return options.optional ? o : o.makeOptionMandatory();
}

/** Tensor backends a command may ask for (`auto`: native where installed, else wasm). */
export const BACKEND_CHOICES = ['auto', 'native', 'wasm', 'cpu', 'tensorflow'] as const;

/** `--backend <name>`: one of BACKEND_CHOICES; `defaultValue` undefined leaves the choice to the command. */
export function backendOption(description = 'tensor backend: wasm (default), native (compiled engine, where built), cpu, or tensorflow (needs @tensorflow/tfjs-node)', defaultValue: string | undefined = 'auto'): Option {
  return flag('--backend <name>', description, choiceFlag(BACKEND_CHOICES), defaultValue as (typeof BACKEND_CHOICES)[number] | undefined);
}
