import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliSession, tinyConfigEntry } from '../helpers/tiny-model.js';

// `train --model-id a,b --parallel 2`: each config in its own child process, one shared summary.
let dir = '';
const { cli, ok } = cliSession(() => dir);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sc-train-parallel-'));
  const entries = [tinyConfigEntry('tiny-a', { features: ['open', 'day_of_week'] }), tinyConfigEntry('tiny-b', { features: ['day_of_week', 'open'] })];
  await writeFile(join(dir, 'configs.yaml'), `configs:\n${entries.join('')}`);
  await ok(['backfill', '--source', 'synthetic', '--symbols', 'SYN00,SYN01', '--features', 'open,day_of_week', '--start', '2020-01-01', '--end', '2020-12-31']);
});
after(() => rm(dir, { recursive: true, force: true }));

test('two configs in two processes: both artifacts, one summary; a failing config is reported, the others still train', async () => {
  const run = await cli('train', '--model-id', 'tiny-a,ghost,tiny-b', '--parallel', '2', '--threads', '1');
  assert.equal(run.code, 1, 'one config failed');
  assert.match(run.stdout, /^training 3 model\(s\), 2 at a time, 1 thread\(s\) each; logs in .*home\/logs$/m);
  assert.match(run.stdout, /^\[tiny-a\] epoch 1 val \d/m);
  assert.match(run.stdout, /^\[ghost\] failed: .*ghost/m);
  assert.match(run.stdout, /^tiny-a +done +\d+\.\d{4} +\d+\.\d{4} +max_epochs/m);
  assert.match(run.stdout, /^tiny-b +done /m);
  const summary = JSON.parse(await readFile(join(dir, 'home', 'logs', 'train-summary.json'), 'utf8')) as { runs: Array<{ modelId: string; status: string; artifact: string | null }> };
  assert.deepEqual(summary.runs.map((r) => [r.modelId, r.status]), [['tiny-a', 'done'], ['ghost', 'failed'], ['tiny-b', 'done']]);
  for (const id of ['tiny-a', 'tiny-b']) {
    await access(join(dir, 'home', 'models', id, 'output', 'model.tar.gz'));
    assert.match(await readFile(join(dir, 'home', 'logs', `train-${id}.log`), 'utf8'), /^epoch 1 {2}train /m);
  }
});

test('--parallel out of range is a clear error', async () => {
  const bad = await cli('train', '--model-id', 'tiny-a,tiny-b', '--parallel', '0');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /option '--parallel <k>' argument '0' is invalid\. Expected an integer from 1 to 64\./);
});
