import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const BACKFILL = ['backfill', '--source', 'synthetic', '--features', 'open', '--start', '2020-01-01', '--end', '2020-01-31', '--symbols', 'SYN00'];

test('a file as STOCKCAST_HOME is a clear error naming it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-home-cli-'));
  try {
    await writeFile(join(dir, 'home'), 'not a folder');
    const r = await runCli(BACKFILL, dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`STOCKCAST_HOME ${join(dir, 'home')} is a file, not a folder`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a read-only STOCKCAST_HOME: a writing command fails naming the file and "permission denied", nothing is written', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-home-ro-'));
  try {
    const home = join(dir, 'home');
    await mkdir(home);
    await chmod(dir, 0o755);
    await chmod(home, 0o555);
    // root writes anywhere: as root the command runs without the capabilities that override file permissions
    // (util-linux's setpriv), still as root, so it reads a checkout that only root may read (a mktemp -d clone)
    const asRoot = process.getuid?.() === 0;
    const [command, prefix] = asRoot
      ? ['setpriv', ['--inh-caps=-dac_override,-dac_read_search', '--bounding-set=-dac_override,-dac_read_search', '--', process.execPath]]
      : [process.execPath, []];
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const child = spawn(command, [...prefix, '--import', TSX, MAIN, ...BACKFILL], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOME: dir, STOCKCAST_HOME: home, TMPDIR: tmpdir() },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`error: cannot write ${home}/store/historical_data_v2/feature=open/time_frame=1Day/2020\\.parquet: permission denied \\(EACCES\\)`));
    assert.deepEqual(await readdir(home), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
