import { Option } from 'commander';
import { redactDeep, redactSecrets } from '../core/redact.js';

/**
 * How every command prints what it reports. Human text is the default; `--json` prints exactly one JSON document
 * on stdout and nothing else (progress bars and logs go to stderr either way). Both are masked for secrets.
 */

/** The output choice of one command run. */
export interface OutputMode {
  json?: boolean;
}

/** The `--json` option every reporting command takes. */
export function jsonOption(description = 'print the result as one JSON document on stdout (logs stay on stderr)'): Option {
  return new Option('--json', description);
}

/**
 * Prints a command's result: with `--json`, `value` as JSON; otherwise `human(value)`. A trailing newline is
 * added. Secrets registered from the settings are masked in both.
 */
export function printResult<T>(mode: OutputMode, value: T, human: (value: T) => string): void {
  process.stdout.write(mode.json ? `${jsonText(value)}\n` : `${redactSecrets(human(value)).replace(/\n?$/, '\n')}`);
}

/** One line for the log (stderr), masked. */
export function logLine(line: string): void {
  process.stderr.write(`${redactSecrets(line)}\n`);
}

/** Where a command's informational lines go: stdout for humans, stderr when stdout must hold only JSON. */
export function infoStream(mode: OutputMode): NodeJS.WritableStream {
  return mode.json ? process.stderr : process.stdout;
}

/**
 * JSON for scripts: NaN and ±Infinity become null (JSON has neither), typed arrays become arrays, Maps become
 * objects, Dates ISO strings; every string (keys included) masked; indented by 2.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(redactDeep(toJsonValue(value)), null, 2);
}

function toJsonValue(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonValue(v)]));
  if (value instanceof Set) return [...value].map(toJsonValue);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>, toJsonValue);
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && typeof v !== 'function') out[k] = toJsonValue(v);
    return out;
  }
  return value;
}

let installed = false;

/**
 * The last line of defence, installed once by the CLI entry: every write to stdout and stderr (progress bars,
 * commander's own errors, a library's warning) passes through the secret mask. Commands still mask what they
 * print; this catches what nobody thought of.
 */
export function installOutputRedaction(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string') return write(redactSecrets(chunk), ...rest);
      if (chunk instanceof Uint8Array) return write(redactSecrets(Buffer.from(chunk).toString('utf8')), ...rest.filter((r) => typeof r === 'function'));
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}
