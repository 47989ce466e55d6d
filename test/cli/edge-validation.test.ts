import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CommanderError } from 'commander';
import { runCli, TINY_CONFIGS } from '../helpers/cli.js';
import { createProgram } from '../../src/cli/program.js';

// Bad input stops each command at its edge: every numeric, date and choice flag is parsed with its range (the
// error names the flag and what was expected), and ids and symbols are validated before any path is built from
// them. Flag cases run the real command line in this process (the program of src/cli/main.ts, stopped before any
// action can run); the rest run the CLI as a child process in a scratch directory with a "victim" folder beside
// the home.

/** Parses `args` with the real program; returns commander's usage error and what it printed, or fails if parsing passed. */
async function usageError(args: string[]): Promise<{ error: CommanderError; stderr: string }> {
  let stderr = '';
  const program = createProgram({ exitOverride: true, output: { writeOut: () => {}, writeErr: (t) => void (stderr += t) } });
  program.hook('preAction', () => {
    throw new Error(`stockcast ${args.join(' ')} got past parsing`);
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return { error, stderr };
    throw error;
  }
  throw new Error(`stockcast ${args.join(' ')} parsed without an error`);
}

/** Runs cases four at a time (each is a child process) and returns them in order. */
async function runAll(dir: string, cases: string[][], env: Record<string, string> = {}) {
  const out: Awaited<ReturnType<typeof runCli>>[] = [];
  for (let i = 0; i < cases.length; i += 4) out.push(...(await Promise.all(cases.slice(i, i + 4).map((args) => runCli(args, dir, env)))));
  return out;
}

/** A scratch directory with configs.yaml, a home, and `victim/yarn.lock` outside the home. */
async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-edge-'));
  await writeFile(join(dir, 'configs.yaml'), `${TINY_CONFIGS}  ft:\n    features: [open]\n    train_start: "2020-01-01"\n    train_end: "2020-07-01"\n    val_end: "2020-10-01"\n    test_end: "2021-01-01"\n    max_lookback_period: 10\n    max_prediction_length: 2\n    fine_tuning_model_id: ../../../victim/yarn\n`);
  await mkdir(join(dir, 'victim'));
  await writeFile(join(dir, 'victim', 'yarn.lock'), 'precious');
  return dir;
}

const BAD_FLAGS: Array<[args: string[], flag: string, expected: RegExp]> = [
  [['backfill', '--source', 'synthetic', '--features', 'open', '--start', '2020-01-01', '--end', '2020-01-31', '--chunk-size', '0'], '--chunk-size <n>', /Expected an integer from 1 to 100000\./],
  [['backfill', '--source', 'synthetic', '--features', 'open', '--start', '2020-13-01', '--end', '2020-12-31'], '--start <date>', /Expected a date YYYY-MM-DD\./],
  [['backfill', '--features', 'open', '--start', '2020-01-01', '--end', '2020-01-31', '--source', 'bloomberg'], '--source <name>', /Expected one of synthetic, csv, alpaca, yahoo\./],
  [['train', '--model-id', 'tiny', '--max-epochs', 'abc'], '--max-epochs <n>', /Expected an integer from 1 to 100000\./],
  [['train', '--model-id', 'tiny', '--max-minutes', '0'], '--max-minutes <n>', /Expected a number > 0 and <= 525600\./],
  [['train', '--model-id', 'tiny', '--threads', '0'], '--threads <n>', /Expected an integer from 1 to 256\./],
  [['train', '--model-id', 'tiny', '--chunk-size', '-1'], '--chunk-size <n>', /Expected an integer from 1 to 1000000\./],
  [['evaluate', '--model-id', 'tiny', '--cost-bps', 'abc'], '--cost-bps <n>', /Expected a number from 0 to 1000\./],
  [['evaluate', '--model-id', 'tiny', '--slippage-bps', '-1'], '--slippage-bps <n>', /Expected a number from 0 to 1000\./],
  [['evaluate', '--model-id', 'tiny', '--buy-weekday', '5'], '--buy-weekday <days>', /expected weekdays 0 \(Monday\) … 4 \(Friday\) or their names/],
  [['evaluate', '--model-id', 'tiny', '--interval-days', '1,0'], '--interval-days <list>', /Expected a comma list, each an integer from 1 to 260\./],
  [['evaluate', '--model-id', 'tiny', '--uncertainty', '0.1,x'], '--uncertainty <list>', /Expected a comma list, each a number from 0 to 1000\./],
  [['evaluate', '--model-id', 'tiny', '--strategy', 'Momentum'], '--strategy <name>', /Expected one of SimpleXDaysAheadBuying, VolatilityRanking\./],
  [['explain', '--model-id', 'tiny', '--split', 'holdout'], '--split <name>', /Expected one of train, val, test\./],
  [['predict', '--model-id', 'tiny', '--backend', 'gpu'], '--backend <name>', /Expected one of auto, native, wasm, cpu, tensorflow\./],
  [['forecast', '--model-id', 'tiny', '--as-of', '2020-02-30'], '--as-of <date>', /Expected a date YYYY-MM-DD\./],
  [['trade', '--model-id', 'tiny', '--now', 'tomorrow'], '--now <iso>', /Expected an ISO time/],
  [['trade', '--model-id', 'tiny', '--broker', 'ibkr'], '--broker <name>', /Expected one of alpaca, paper\./],
  [['trade', 'status', '--interval-days', '0'], '--interval-days <n>', /Expected an integer from 1 to 260\./],
  [['trade', 'status', '--notify', 'ftp://example.com/hook'], '--notify [url]', /Expected an http\(s\) webhook URL\./],
  [['serve', '--port', 'abc'], '--port <n>', /Expected an integer from 0 to 65535\./],
  [['demo', '--end', '2024-02-30'], '--end <date>', /Expected a date YYYY-MM-DD\./],
  [['bench', 'tft', '--threads', '0'], '--threads <n>', /Expected an integer from 1 to 64\./],
  [['bench', 'tft', '--budget-minutes', '-5'], '--budget-minutes <n>', /Expected a number > 0 and <= 1440\./],
  [['bench', 'tft', '--config', 'huge'], '--config <name>', /Expected one of small, favourite\./],
];

test('every command refuses a bad numeric, date or choice flag, naming the flag and the expected range, before anything runs', async () => {
  for (const [args, flag, expected] of BAD_FLAGS) {
    const { error, stderr } = await usageError(args);
    assert.equal(error.code, 'commander.invalidArgument', `stockcast ${args.join(' ')}: ${error.message}`);
    assert.equal(error.exitCode, 1);
    assert.match(stderr, new RegExp(`^error: option '${flag.replace(/[[\]]/g, '\\$&')}' argument '.*' is invalid\\. `, 'm'), `stockcast ${args.join(' ')}: ${stderr}`);
    assert.match(stderr, expected, `stockcast ${args.join(' ')}`);
  }
});

test('the bad flags of the issue, as a user runs them: exit 1 with the flag named, nothing written', async () => {
  const dir = await scratch();
  try {
    // (backfill --chunk-size 0 runs as a child process in backfill-cli.test.ts)
    const cases = [
      ['train', '--model-id', 'tiny', '--max-epochs', 'abc'],
      ['evaluate', '--model-id', 'tiny', '--cost-bps', 'abc'],
    ];
    const runs = await runAll(dir, cases);
    cases.forEach((args, i) => {
      assert.equal(runs[i]!.code, 1, `stockcast ${args.join(' ')}: ${runs[i]!.stderr}`);
      assert.match(runs[i]!.stderr, new RegExp(`option '${args.at(-2)} <n>' argument '${args.at(-1)}' is invalid\\. Expected`));
    });
    assert.deepEqual((await readdir(dir)).sort(), ['configs.yaml', 'victim'], 'no command got far enough to create the home');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const TRAVERSAL = 'x/../../../victim/yarn';

const TRAVERSAL_CASES = [
  ['train', '--model-id', TRAVERSAL, '--max-epochs', '1'],
  ['train', '--model-id', '..'],
  ['predict', '--model-id', TRAVERSAL],
  ['evaluate', '--model-id', TRAVERSAL],
  ['explain', '--model-id', TRAVERSAL],
  ['forecast', '--model-id', TRAVERSAL],
  ['trade', '--model-id', TRAVERSAL],
  ['trade', '--model-id', 'a\\..\\b', '--execute'],
];

test('a traversal model id is refused by every command that takes one, before any path is built', async () => {
  for (const args of TRAVERSAL_CASES) {
    const { error, stderr } = await usageError(args);
    assert.equal(error.code, 'commander.invalidArgument', `stockcast ${args.join(' ')}`);
    assert.match(stderr, /option '--model-id <id>' argument '.*' is invalid\. Expected letters, digits, "\.", "_" and "-"/, `stockcast ${args.join(' ')}`);
  }
});

test('trade --model-id "x/../../../victim/yarn" leaves victim/yarn.lock beside the home alone, dry run or not', async () => {
  const dir = await scratch();
  try {
    const runs = await runAll(dir, [['trade', '--model-id', TRAVERSAL], ['trade', '--model-id', TRAVERSAL, '--execute', '--broker', 'paper']]);
    for (const r of runs) {
      assert.equal(r.code, 1);
      assert.match(r.stderr, /option '--model-id <id>' argument 'x\/\.\.\/\.\.\/\.\.\/victim\/yarn' is invalid/);
    }
    assert.equal(await readFile(join(dir, 'victim', 'yarn.lock'), 'utf8'), 'precious');
    assert.deepEqual((await readdir(dir)).sort(), ['configs.yaml', 'victim']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('ids inside configs.yaml (fine_tuning_model_id) are validated like --model-id before training starts', async () => {
  const dir = await scratch();
  try {
    const r = await runCli(['train', '--model-id', 'ft', '--max-epochs', '1'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /config "ft": key "fine_tuning_model_id": invalid value "\.\.\/\.\.\/\.\.\/victim\/yarn"/);
    assert.deepEqual((await readdir(dir)).sort(), ['configs.yaml', 'victim']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('symbols are validated in --symbols, --symbols-file (backfill and train) and a CSV source, before anything is fetched or written', async () => {
  const dir = await scratch();
  try {
    await writeFile(join(dir, 'symbols.txt'), 'AAPL\n../../victim/yarn\n');
    const csv = 'symbol,date,open,high,low,close,adj_close,volume\nAAPL,2020-01-02,1,1,1,1,1,100\n../X,2020-01-02,1,1,1,1,1,100\n';
    await writeFile(join(dir, 'bars.csv.gz'), gzipSync(csv));
    const base = ['backfill', '--source', 'synthetic', '--features', 'open', '--start', '2020-01-01', '--end', '2020-01-31'];
    const cases: Array<[string[], RegExp]> = [
      [[...base, '--symbols', 'AAPL,../../victim/yarn'], /option '--symbols <list>' argument .* is invalid\. Expected a comma list of tickers \(invalid ticker "\.\.\/\.\.\/VICTIM\/YARN"/],
      [[...base, '--symbols-file', 'symbols.txt'], /symbols file symbols\.txt: invalid ticker "\.\.\/\.\.\/VICTIM\/YARN"/],
      [['train', '--model-id', 'tiny', '--symbols-file', 'symbols.txt'], /symbols file symbols\.txt: invalid ticker/],
      [[...base, '--source', 'csv', '--csv', 'bars.csv.gz'], /symbols of --source csv: invalid ticker "\.\.\/X"/],
    ];
    const runs = await runAll(dir, cases.map(([a]) => a));
    cases.forEach(([args, expected], i) => {
      assert.equal(runs[i]!.code, 1, `stockcast ${args.join(' ')}: ${runs[i]!.stderr}`);
      assert.match(runs[i]!.stderr, expected, `stockcast ${args.join(' ')}`);
    });
    assert.deepEqual(await readdir(join(dir, 'victim')), ['yarn.lock']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
