// A process that takes a lock `rounds` times and records each stay inside it: `in <pid>` then `out <pid>` lines
// appended to the log. Two lines of different pids between an `in` and its `out` would mean two holders at once.
import { appendFile } from 'node:fs/promises';
import { acquireFileLock } from '../../src/core/file-lock.js';

const [lockPath, logPath, rounds] = process.argv.slice(2);
for (let i = 0; i < Number(rounds); i++) {
  const lock = await acquireFileLock(lockPath!);
  await appendFile(logPath!, `in ${process.pid}\n`);
  await new Promise((r) => setTimeout(r, 2));
  await appendFile(logPath!, `out ${process.pid}\n`);
  await lock.release();
}
