import { gunzipSync } from 'node:zlib';

/** The files of a model artifact (`model.tar.gz`), read from its bytes. */
export interface ArtifactFiles {
  /** model.json, parsed (validated by the caller). */
  meta: unknown;
  /** weights.bin as float32, little-endian. */
  weights: Float32Array;
}

const BLOCK = 512;

/**
 * Unpacks a model artifact in memory (no temp folder) and says precisely what is wrong with a damaged one: not
 * gzip, truncated, a failed checksum, not a tar archive, a missing file, invalid JSON or a weights file whose
 * size is not whole floats. `where` names the artifact in every error.
 */
export function readArtifactFiles(bytes: Uint8Array, where: string): ArtifactFiles {
  const files = archiveFiles(bytes, where);
  const json = files.get('model.json');
  const bin = files.get('weights.bin');
  const missing = [json ? null : 'model.json', bin ? null : 'weights.bin'].filter(Boolean);
  if (missing.length > 0) {
    throw new Error(`${where}: the archive has no ${missing.join(' and no ')} (it holds ${[...files.keys()].join(', ') || 'nothing'}): it is not a complete stockcast model`);
  }
  let meta: unknown;
  try {
    meta = JSON.parse(Buffer.from(json!).toString('utf8'));
  } catch (err) {
    throw new Error(`${where}: model.json is not valid JSON (${(err as Error).message})`);
  }
  if (bin!.byteLength % 4 !== 0) throw new Error(`${where}: weights.bin has ${bin!.byteLength} bytes, not a whole number of float32 weights: the file is damaged`);
  const weights = new Float32Array(bin!.buffer.slice(bin!.byteOffset, bin!.byteOffset + bin!.byteLength));
  return { meta, weights };
}

/** The regular files of a `.tar.gz` by name; a damaged archive is an error naming `where` and what is wrong. */
export function archiveFiles(bytes: Uint8Array, where: string): Map<string, Uint8Array> {
  return untar(gunzip(bytes, where), where);
}

function gunzip(bytes: Uint8Array, where: string): Buffer {
  if (bytes.byteLength === 0) throw new Error(`${where}: the file is empty`);
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new Error(`${where}: not a gzip file (a model artifact is a .tar.gz)`);
  try {
    return gunzipSync(bytes);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test((err as Error).message)) {
      throw new Error(`${where}: truncated (the gzip stream ends early after ${bytes.byteLength} bytes): the file was cut off while being written or copied`);
    }
    throw new Error(`${where}: corrupt gzip data (${(err as Error).message}): the file is damaged`);
  }
}

/** Regular files of a ustar/pax archive by name (directories and metadata entries are skipped). */
function untar(tar: Buffer, where: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  let longName: string | undefined;
  for (let at = 0; at + BLOCK <= tar.length; ) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) return files;
    if (!checksumOk(header)) throw new Error(`${where}: not a valid tar archive (bad header checksum at byte ${at})`);
    const size = octal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156]!);
    const start = at + BLOCK;
    if (start + size > tar.length) throw new Error(`${where}: truncated tar archive (an entry needs ${size} bytes, ${tar.length - start} are left)`);
    const body = tar.subarray(start, start + size);
    const prefix = cString(header.subarray(345, 500));
    const name = longName ?? (prefix ? `${prefix}/${cString(header.subarray(0, 100))}` : cString(header.subarray(0, 100)));
    longName = undefined;
    if (type === 'x') longName = paxPath(body);
    else if (type === 'L') longName = cString(body);
    else if (type === '0' || type === '\0') files.set(name.replace(/^\.\//, ''), body);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new Error(`${where}: truncated tar archive (no end-of-archive marker)`);
}

function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum === octal(header.subarray(148, 156));
}

function octal(field: Buffer): number {
  const text = cString(field).trim();
  return text ? parseInt(text, 8) : 0;
}

function cString(field: Uint8Array): string {
  const end = field.indexOf(0);
  return Buffer.from(end >= 0 ? field.subarray(0, end) : field).toString('utf8');
}

/** The `path` record of a pax extended header (`<len> path=<name>\n`), if any. */
function paxPath(body: Uint8Array): string | undefined {
  const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(Buffer.from(body).toString('utf8'));
  return m?.[1];
}
