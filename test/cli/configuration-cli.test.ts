import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, TINY_CONFIGS } from '../helpers/cli.js';
import { startS3Server } from '../../src/bench/s3rver-process.js';

// Configuration where users keep it: --config, else STOCKCAST_CONFIG (environment or .env), else ./configs.yaml;
// --env-file on every command; AWS settings of .env handed to the SDK's own chain (profiles), region resolved
// by the SDK and never hard-coded.

test('--config wins, then STOCKCAST_CONFIG (from the environment or the .env file), then ./configs.yaml; a named file must exist', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-config-'));
  try {
    await mkdir(join(dir, 'conf'));
    await writeFile(join(dir, 'conf', 'team.yaml'), TINY_CONFIGS.replace('  tiny:', '  team-model:'));
    await writeFile(join(dir, 'configs.yaml'), TINY_CONFIGS);
    await writeFile(join(dir, 'team.env'), 'STOCKCAST_CONFIG=conf/team.yaml\n');
    // an unknown id makes train list the ids of the file it read, without training anything
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['train', '--model-id', 'nope'], {}, /\/configs\.yaml: config "nope": expected one of the config ids in the file: tiny$/m],
      [['train', '--model-id', 'nope'], { STOCKCAST_CONFIG: 'conf/team.yaml' }, /conf\/team\.yaml: config "nope": expected one of the config ids in the file: team-model$/m],
      [['train', '--model-id', 'nope', '--env-file', 'team.env'], {}, /conf\/team\.yaml: config "nope": expected one of the config ids in the file: team-model$/m],
      [['train', '--model-id', 'nope', '--config', 'configs.yaml'], { STOCKCAST_CONFIG: 'conf/team.yaml' }, /\/configs\.yaml: config "nope": expected one of the config ids in the file: tiny$/m],
      [['train', '--model-id', 'nope'], { STOCKCAST_CONFIG: 'conf/missing.yaml' }, /error: STOCKCAST_CONFIG \/.*\/conf\/missing\.yaml: no such file/],
      [['forecast', '--model-id', 'tiny', '--config', 'missing.yaml'], {}, /error: --config \/.*\/missing\.yaml: no such file/],
      [['trade', '--model-id', 'tiny', '--config', 'missing.yaml'], {}, /error: --config \/.*\/missing\.yaml: no such file/],
    ];
    const runs = await Promise.all(cases.map(([args, env]) => runCli(args, dir, env)));
    cases.forEach(([args, env, expected], i) => {
      assert.equal(runs[i]!.code, 1, `stockcast ${args.join(' ')} ${JSON.stringify(env)}: ${runs[i]!.stderr}`);
      assert.match(runs[i]!.stderr, expected, `stockcast ${args.join(' ')} ${JSON.stringify(env)}`);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('--env-file reads another .env (here one that moves STOCKCAST_HOME); a missing one is an error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-envfile-'));
  try {
    await writeFile(join(dir, 'other.env'), `STOCKCAST_HOME=${join(dir, 'elsewhere')}\n`);
    const args = ['backfill', '--source', 'synthetic', '--symbols', 'SYN00', '--features', 'open', '--start', '2020-01-02', '--end', '2020-01-10', '--env-file', 'other.env'];
    // runCli sets STOCKCAST_HOME in the environment, which would win over the file: leave it empty (= unset)
    const r = await runCli(args, dir, { STOCKCAST_HOME: '' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`into ${join(dir, 'elsewhere')}`));
    await access(join(dir, 'elsewhere', 'store'));
    const missing = await runCli(['trade', 'status', '--env-file', 'missing.env'], dir);
    assert.notEqual(missing.code, 0);
    // Node 20 itself refuses a missing --env-file anywhere on the command line; later Node versions leave it to us
    assert.match(missing.stderr, /missing\.env(: no such file|: not found)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("AWS settings in .env reach the SDK's chain: AWS_PROFILE picks the profile's keys and region for an S3 feature store", async () => {
  const s3 = await startS3Server('sc-profile-bucket');
  const dir = await mkdtemp(join(tmpdir(), 'sc-aws-'));
  try {
    // the default profile holds keys the server refuses; the `research` profile holds its own, and a region
    await writeFile(join(dir, 'credentials'), `[default]\naws_access_key_id = AKIAWRONG\naws_secret_access_key = wrong\n\n[research]\naws_access_key_id = ${s3.credentials.accessKeyId}\naws_secret_access_key = ${s3.credentials.secretAccessKey}\n`);
    await writeFile(join(dir, 'config'), '[default]\nregion = eu-west-3\n\n[profile research]\nregion = eu-west-3\n');
    const common = `S3_BUCKET_NAME=${s3.bucket}\nAWS_ENDPOINT_URL_S3=${s3.endpoint}\nAWS_CONFIG_FILE=${join(dir, 'config')}\nAWS_SHARED_CREDENTIALS_FILE=${join(dir, 'credentials')}\n`;
    await writeFile(join(dir, 'default.env'), common);
    await writeFile(join(dir, 'research.env'), `${common}AWS_PROFILE=research\n`);
    const args = ['backfill', '--source', 'synthetic', '--symbols', 'SYN00', '--features', 'open', '--start', '2020-01-02', '--end', '2020-01-10', '--json'];
    const refused = await runCli([...args, '--env-file', 'default.env'], dir);
    assert.notEqual(refused.code, 0, 'the default profile’s keys are refused: the profile really is what signs');
    assert.match(`${refused.stdout}${refused.stderr}`, /InvalidAccessKeyId|AWS Access Key Id/);
    const ok = await runCli([...args, '--env-file', 'research.env'], dir);
    assert.equal(ok.code, 0, ok.stderr);
    const summary = JSON.parse(ok.stdout) as { store: string; features: Array<{ received: number }> };
    assert.equal(summary.store, `s3://${s3.bucket}/historical_data_v2`);
    assert.equal(summary.features[0]!.received, 7, 'seven trading days landed in the bucket');
  } finally {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('no AWS region anywhere is a clear error before any request (no hard-coded region)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-region-'));
  try {
    const r = await runCli(['backfill', '--source', 'synthetic', '--symbols', 'SYN00', '--features', 'open', '--start', '2020-01-02', '--end', '2020-01-10'], dir, { S3_BUCKET_NAME: 'some-bucket', AWS_CONFIG_FILE: join(dir, 'none') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: no AWS region: set REGION_NAME \(as the seed\) or AWS_REGION in the environment or in \.env, or a region for your AWS_PROFILE in ~\/\.aws\/config/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
