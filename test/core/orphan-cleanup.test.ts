import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanOrphans } from '../../src/core/orphan-cleanup.js';
import { prepareHome } from '../../src/core/stockcast-home.js';

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

async function file(path: string, body: string, ageMs = 0): Promise<void> {
  await writeFile(path, body);
  const t = new Date(Date.now() - ageMs);
  await utimes(path, t, t);
}

const HOUR = 3_600_000;

test('start-up cleanup removes only leftovers of processes that are gone and older than the safe age', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sc-cleanup-'));
  try {
    const home = join(root, 'home');
    const temp = join(root, 'tmp');
    const part = join(home, 'store', 'p', 'feature=open', 'time_frame=1Day');
    await mkdir(part, { recursive: true });
    await mkdir(join(home, 'locks'), { recursive: true });
    await mkdir(temp);
    const dead = await deadPid();
    const lock = (pid: number) => JSON.stringify({ pid, host: hostname(), processStart: null, acquiredAt: '2024-01-01T00:00:00Z', nonce: `n${pid}` });
    await file(join(part, '2018.parquet'), 'data', HOUR);
    await file(join(part, `2018.parquet.${dead}.0a1b2c.tmp`), 'killed write', HOUR);
    await file(join(part, `2017.parquet.${dead}.0a1b2d.tmp`), 'too fresh to judge', 60_000);
    await file(join(part, `2016.parquet.${process.pid}.0a1b2e.tmp`), 'a live write', HOUR);
    await file(join(part, '2018.parquet.lock'), lock(dead), HOUR);
    await file(join(part, '2017.parquet.lock'), lock(process.pid), HOUR);
    await file(join(home, 'locks', 'm1.lock'), String(dead), HOUR); // another tool's lock format: not ours to judge
    for (const [name, age] of [[`stockcast-fs-${dead}-abc`, HOUR], [`stockcast-fs-${process.pid}-abc`, HOUR], ['stockcast-artifact-old', 48 * HOUR], ['stockcast-artifact-new', HOUR], ['other-tool-x', 48 * HOUR]] as const) {
      await mkdir(join(temp, name));
      await writeFile(join(temp, name, 'f'), 'x');
      await utimes(join(temp, name), new Date(Date.now() - age), new Date(Date.now() - age));
    }
    const report = await cleanOrphans(home, { tempRoot: temp });
    assert.deepEqual(report.removed.map((p) => p.slice(root.length + 1)).sort(), [
      `home/store/p/feature=open/time_frame=1Day/2018.parquet.${dead}.0a1b2c.tmp`,
      'home/store/p/feature=open/time_frame=1Day/2018.parquet.lock',
      'tmp/stockcast-artifact-old',
      `tmp/stockcast-fs-${dead}-abc`,
    ]);
    assert.deepEqual((await readdir(part)).sort(), ['2016.parquet.' + process.pid + '.0a1b2e.tmp', '2017.parquet.' + dead + '.0a1b2d.tmp', '2017.parquet.lock', '2018.parquet'].sort());
    assert.deepEqual(await readdir(join(home, 'locks')), ['m1.lock']);
    assert.deepEqual((await readdir(temp)).sort(), ['other-tool-x', 'stockcast-artifact-new', `stockcast-fs-${process.pid}-abc`]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a file as STOCKCAST_HOME, or one under a file, is a clear error; a missing home is fine', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sc-home-'));
  try {
    await writeFile(join(root, 'file'), 'x');
    await assert.rejects(prepareHome(join(root, 'file')), new RegExp(`^Error: STOCKCAST_HOME ${root}/file is a file, not a folder: point STOCKCAST_HOME at a folder`));
    await assert.rejects(prepareHome(join(root, 'file', 'home')), /cannot be a folder: a folder on its path is a file/);
    assert.deepEqual(await prepareHome(join(root, 'missing')), { writable: true, cleaned: [] });
    assert.deepEqual(await prepareHome(root), { writable: true, cleaned: [] });
    assert.deepEqual(await readdir(root), ['file'], 'the write probe leaves nothing');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
