import { readFileSync } from 'node:fs';

/** Parses `.env` text: KEY=VALUE lines, `export` prefix, quotes, `#` comments. Errors never echo a value. */
export function parseDotenv(text: string, file = '.env'): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: expected KEY=VALUE`);
    const key = m[1]!;
    let value = m[2]!;
    const quote = value[0];
    if (quote === '"' || quote === "'") {
      const end = value.indexOf(quote, 1);
      if (end < 0) throw new Error(`${file}:${i + 1}: unterminated quoted value for ${key}`);
      value = value.slice(1, end);
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      // an unquoted value ends at a comment introduced by whitespace (the seed's README annotates its keys so)
      value = value.replace(/\s+#.*$/, '').replace(/\s+\(.*\)\s*$/, '').trim();
    }
    out[key] = value;
  });
  return out;
}

/** Reads and parses a `.env` file; a missing file gives an empty record. */
export function readDotenv(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseDotenv(text, path);
}
