// A child process for the lock race tests: waits for the `go` file, takes the lock, proves it is alone inside
// (an exclusive marker file), holds it a moment and releases. Prints one JSON line with what happened.
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireFileLock } from '../../src/core/file-lock.js';

const [dir, scratch, holdMs, waitMs] = process.argv.slice(2) as [string, string, string, string];
while (!existsSync(join(scratch, 'go'))) await new Promise((r) => setTimeout(r, 2));
try {
  const lock = await acquireFileLock(dir, { timeoutMs: Number(waitMs), what: 'race test' });
  let overlap = false;
  try {
    await writeFile(join(scratch, 'inside'), String(process.pid), { flag: 'wx' });
  } catch {
    overlap = true;
  }
  await new Promise((r) => setTimeout(r, Number(holdMs)));
  if (!overlap) await rm(join(scratch, 'inside'));
  await lock.release();
  process.stdout.write(`${JSON.stringify({ pid: process.pid, acquired: true, overlap})}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ pid: process.pid, acquired: false, error: (err as Error).message })}\n`);
}
