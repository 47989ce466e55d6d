import { readFileSync } from 'node:fs';

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$' };
const ASSIGNMENT = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=[ \t]*/;

/**
 * Parses `.env` text: KEY=VALUE lines, an optional `export ` prefix, `#` comments, blank lines, 'single quotes'
 * (literal) and "double quotes" (escapes \n \r \t \" \\; may span lines). Errors name the file and line, never a value.
 */
export function parseDotenv(text: string, file = '.env'): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `${file}:${i + 1}`;
    const m = ASSIGNMENT.exec(line);
    if (!m) throw new Error(`${where}: expected KEY=VALUE (a name of letters, digits and _, then =)`);
    const key = m[1]!;
    const rest = line.slice(m[0].length);
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      const col = lines[i]!.length - lines[i]!.trimStart().length + m[0].length;
      const quoted = readQuoted(lines, i, col, quote, where, key);
      out[key] = quoted.value;
      i = quoted.endLine;
    } else {
      out[key] = unquoted(rest);
    }
  }
  return out;
}

/** Reads a quoted value that starts at `lines[start][col]`, possibly continuing over later lines. */
function readQuoted(lines: string[], start: number, col: number, quote: string, where: string, key: string): { value: string; endLine: number } {
  let value = '';
  let lineNo = start;
  let pos = col + 1;
  for (;;) {
    const line = lines[lineNo]!;
    while (pos < line.length) {
      const c = line[pos]!;
      if (c === quote) {
        const after = line.slice(pos + 1).trim();
        if (after !== '' && !after.startsWith('#')) {
          throw new Error(`${fileLine(where, lineNo, start)}: unexpected text after the closing quote of ${key} (only a # comment may follow)`);
        }
        return { value, endLine: lineNo };
      }
      if (c === '\\' && quote === '"' && pos + 1 < line.length) {
        const next = line[pos + 1]!;
        value += ESCAPES[next] ?? `\\${next}`;
        pos += 2;
        continue;
      }
      value += c;
      pos++;
    }
    lineNo++;
    if (lineNo >= lines.length) throw new Error(`${where}: the quoted value of ${key} is never closed (missing ${quote})`);
    value += '\n';
    pos = 0;
  }
}

/** `file:N` for line `lineNo`, given `where` = `file:M` for line `start`. */
function fileLine(where: string, lineNo: number, start: number): string {
  return lineNo === start ? where : `${where.slice(0, where.lastIndexOf(':'))}:${lineNo + 1}`;
}

/** An unquoted value ends at a ` #` comment; a trailing ` ( … )` note, as in the seed README's sample .env, is dropped. */
function unquoted(rest: string): string {
  return rest.replace(/(^|\s+)#.*$/, '').replace(/\s+\([^)]*\)$/, '').trim();
}

/** Reads and parses a `.env` file; a missing file gives an empty record. */
export function readDotenv(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return {};
    throw new Error(`cannot read ${path}: ${code ?? String(err)}`);
  }
  return parseDotenv(text, path);
}
