import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The dashboard's own front end: src/serve/public, found from src/serve (tsx) and from dist/serve alike. */
const PUBLIC_DIR = fileURLToPath(new URL('../../src/serve/public/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The charting library's browser builds, served from the installed packages (no CDN: works offline). */
const VENDOR: Record<string, { pkg: string; file: string }> = {
  'd3.min.js': { pkg: 'd3', file: 'dist/d3.min.js' },
  'plot.umd.min.js': { pkg: '@observablehq/plot', file: 'dist/plot.umd.min.js' },
};

/** The root folder of an installed package (its entry resolved, then up to its package.json). */
function packageRoot(pkg: string): string {
  let dir = dirname(createRequire(import.meta.url).resolve(pkg));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === pkg) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the installed package ${pkg}`);
    dir = up;
  }
}

/** A static file of the front end or a vendored library by URL path, or null when there is none. */
export async function staticAsset(path: string): Promise<{ body: Buffer; type: string } | null> {
  if (path.startsWith('/vendor/')) {
    const v = VENDOR[path.slice('/vendor/'.length)];
    if (!v) return null;
    return { body: await readFile(join(packageRoot(v.pkg), v.file)), type: TYPES['.js']! };
  }
  const file = resolve(PUBLIC_DIR, `.${path}`);
  if (!file.startsWith(PUBLIC_DIR.endsWith(sep) ? PUBLIC_DIR : PUBLIC_DIR + sep) || !TYPES[extname(file)]) return null;
  try {
    return { body: await readFile(file), type: TYPES[extname(file)]! };
  } catch {
    return null;
  }
}

/** The single page every dashboard route loads (the page's script reads the path). */
export async function indexPage(): Promise<Buffer> {
  return readFile(join(PUBLIC_DIR, 'index.html'));
}
