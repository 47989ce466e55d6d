import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once, runCli, TINY_CONFIGS, type CliRun } from '../helpers/cli.js';
import type { ModelSummary } from '../../src/pipeline/model-catalog.js';

// `train` never overwrites silently and `stockcast models` reports what the model store holds, run as a user would.

describe('model versions and `stockcast models`', () => {
  let dir = '';
  const cli = (...args: string[]) => runCli(args, dir);
  const ok = async (args: string[]): Promise<CliRun> => {
    const r = await cli(...args);
    assert.equal(r.code, 0, `stockcast ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
    return r;
  };
  const artifact = () => join(dir, 'home', 'models', 'tiny', 'output', 'model.tar.gz');
  const sha = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');
  let firstSha = '';

  const trainedTwice = once(async () => {
    await ok(['backfill', '--symbols', 'SYN00,SYN01,SYN02', '--features', 'open,day_of_week', '--start', '2020-01-01', '--end', '2020-12-31']);
    await ok(['train', '--model-id', 'tiny', '--max-epochs', '1', '--threads', '1']);
    firstSha = await sha(artifact());
    const second = await ok(['train', '--model-id', 'tiny', '--max-epochs', '2', '--threads', '1']);
    await ok(['predict', '--model-id', 'tiny']);
    const evaluation = JSON.parse((await ok(['evaluate', '--model-id', 'tiny', '--json', '--num-stocks', '1', '--uncertainty', '0.1'])).stdout) as { forecastQuality: { quantileLoss: number } };
    return { second, evaluation };
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sc-models-'));
    await writeFile(join(dir, 'configs.yaml'), TINY_CONFIGS);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('train again: the previous artifact is kept under versions/<timestamp>, byte for byte, and the log says where', async () => {
    const { second } = await trainedTwice();
    const kept = /the artifact it replaces is kept at file:\/\/.*\/(tiny\/versions\/(\d{4}-\d\d-\d\dT[\d-]+Z)\/model\.tar\.gz)/.exec(second.stderr);
    assert.ok(kept, second.stderr);
    assert.equal(await sha(join(dir, 'home', 'models', kept[1]!)), firstSha);
    assert.notEqual(await sha(artifact()), firstSha, 'the output holds the new model');
  });

  test('models --json: config, target, data range, losses beside naive, the test-range quantile loss of evaluate, versions', async () => {
    const { evaluation } = await trainedTwice();
    const { location, models } = JSON.parse((await ok(['models', '--json'])).stdout) as { location: string; models: ModelSummary[] };
    assert.match(location, /^file:\/\/.*\/home\/models$/);
    assert.deepEqual(models.map((m) => m.modelId), ['tiny']);
    const m = models[0]!;
    assert.equal(m.artifact!.configId, 'tiny');
    assert.equal(m.artifact!.target, 'open');
    assert.equal(m.artifact!.epochs, 2);
    assert.deepEqual(m.artifact!.dataRange, { first: '2020-01-02', last: '2020-12-31', symbols: 3 });
    assert.ok(m.artifact!.bestValLoss! > 0 && m.artifact!.naiveValLoss! > 0);
    assert.equal(m.evaluation!.quantileLoss, evaluation.forecastQuality.quantileLoss);
    assert.ok(m.evaluation!.naiveQuantileLoss! > 0);
    assert.equal(m.versions.length, 1);
    assert.equal(m.versions[0]!.sha256, firstSha);
    assert.equal(m.versions[0]!.epochs, 1);
  });

  test('models: a table; --model-id: one model with its versions; a foreign artifact is listed with its reason; an unknown id is an error', async () => {
    await trainedTwice();
    await mkdir(join(dir, 'home', 'models', 'old-seed', 'output'), { recursive: true });
    await writeFile(join(dir, 'home', 'models', 'old-seed', 'output', 'model.tar.gz'), 'PK\u0003\u0004 not a tarball');
    const table = await ok(['models']);
    assert.match(table.stdout, /^model +config +target +data +val loss \(naive\) +test QL \(naive\) +versions$/m);
    assert.match(table.stdout, /^tiny +tiny +open +2020-01-02\.\.2020-12-31 +\d+\.\d{4} \(\d+\.\d{4}\) +\d+\.\d{4} \(\d+\.\d{4}\) +1$/m);
    assert.match(table.stdout, /^old-seed .*\n {2}! not a readable \.tar\.gz archive/m);
    const one = await ok(['models', '--model-id', 'tiny']);
    assert.match(one.stdout, /^versions \(oldest first; each kept when training replaced it\):$/m);
    assert.match(one.stdout, /^ {4}trained +.*, 1 epoch\(s\) on 2020-01-02\.\.2020-12-31 \(3 symbols\)$/m);
    const oneJson = JSON.parse((await ok(['models', '--model-id', 'tiny', '--json'])).stdout) as { model: ModelSummary };
    assert.equal(oneJson.model.versions.length, 1);
    const unknown = await cli('models', '--model-id', 'nope');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no model "nope" in file:.*: the store holds old-seed, tiny/);
  });
});
