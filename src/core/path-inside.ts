import { isAbsolute, relative, resolve, sep } from 'node:path';

/** A path built from user input that would leave the directory it must stay in. */
export class PathEscapeError extends Error {
  constructor(
    readonly root: string,
    readonly path: string,
  ) {
    super(`refusing path ${path}: it lies outside ${root}`);
    this.name = 'PathEscapeError';
  }
}

/**
 * Joins `segments` under `root`, resolves the result and checks it still lies inside `root` (the root itself
 * does not count): the last line of defence for every path built from an id, a symbol or another user input.
 * Segments may contain `/` (e.g. `locks/trade-x.lock`); an absolute segment or `..` that climbs out is refused.
 */
export function pathInside(root: string, ...segments: string[]): string {
  const base = resolve(root);
  for (const s of segments) if (s.includes('\0')) throw new PathEscapeError(base, s.replace(/\0/g, '\\0'));
  const full = resolve(base, ...segments);
  const rel = relative(base, full);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw new PathEscapeError(base, full);
  return full;
}
