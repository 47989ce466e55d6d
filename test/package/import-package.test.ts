import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tar from 'tar';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = join(ROOT, 'test', 'model', 'fixtures', 'stockcast-tft-1');

/**
 * A consumer written against the published API only: it fills a feature store in a local directory from the
 * synthetic market, reads it back with queryWide, loads a trained model, forecasts its test windows and runs a
 * small strategy grid on the forecasts. Type-checked against the package's declarations, then run.
 */
const CONSUMER = `
import { backfillFeatures, baseParams, forecastTable, initBackend, LocalObjectStore, openFeatureStore, parseTimeFrame, runGrid,
  STOCKCAST_VERSION, SyntheticMarket, TrainedModel, type GridResult, type PredictionTable, type WideFrame } from 'stockcast';

const [fixtureDir, storeDir] = process.argv.slice(2) as [string, string];
const features = ['open', 'volume', 'day_of_week', 'month'];
const symbols = ['SYN00', 'SYN01', 'SYN02'];
await initBackend('cpu');
const store = await openFeatureStore({ dir: storeDir });
const market = new SyntheticMarket({ seed: 42, symbols });
const summary = await backfillFeatures({
  request: { features, symbols, startDate: '2020-01-01', endDate: '2020-12-31', timeFrame: parseTimeFrame('1Day') },
  bars: market, earnings: async () => market, store, unavailableBarFeatures: [], checkpointDir: storeDir + '/checkpoints',
});
const frame: WideFrame = await store.queryWide({ features, timeFrame: '1Day', startDate: '2020-01-01', endDate: '2020-12-31' });
const model = await TrainedModel.load(new LocalObjectStore(fixtureDir), 'fixture-tft-1');
const data = model.dataset.prepare(frame);
const windows = model.dataset.windows(data, 'test');
const forecasts = await model.forecastWindows(data, windows);
const table: PredictionTable = forecastTable(forecasts, data, model.dataset.state);
const grid: GridResult = runGrid(table, baseParams(model.config()), { intervalDays: [1], numStocksPurchased: [1, 2], uncertaintyMultiplier: [0.1] });
model.dispose();
await store.close();
process.stdout.write(JSON.stringify({
  version: STOCKCAST_VERSION,
  written: summary.changedRows.get('open'),
  rows: frame.length,
  symbols: frame.symbols,
  windows: windows.length,
  pred: Array.from(forecasts.pred.slice(0, 6)),
  runs: grid.runs.map((r) => ({ stocks: r.params.numStocksPurchased, finalMoney: r.result.finalMoney, trades: r.result.trades })),
}));
`;

/** Links every installed dependency into the scratch project (the package's own dependencies, without a download). */
async function linkDependencies(into: string): Promise<void> {
  await mkdir(into, { recursive: true });
  for (const name of await readdir(join(ROOT, 'node_modules'))) {
    if (name === 'stockcast' || name.startsWith('.')) continue;
    await symlink(join(ROOT, 'node_modules', name), join(into, name));
  }
}

test('npm pack → install the tarball in a scratch project → import "stockcast" with types → forecast and run the grid on a tiny synthetic store', async () => {
  const work = await mkdtemp(join(tmpdir(), 'sc-package-'));
  try {
    // pack from a copy, so building dist/ does not race other tests reading this checkout
    const source = join(work, 'source');
    await mkdir(source);
    for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'LICENSE']) await cp(join(ROOT, f), join(source, f));
    await cp(join(ROOT, 'src'), join(source, 'src'), { recursive: true });
    await cp(join(ROOT, 'scripts'), join(source, 'scripts'), { recursive: true });
    await cp(join(ROOT, 'native', 'src'), join(source, 'native', 'src'), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(source, 'node_modules'));
    // STOCKCAST_NATIVE=0: the pack need not compile the engine (the consumer runs on the cpu backend)
    const env = { ...process.env, STOCKCAST_NATIVE: '0', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
    // `npm pack` runs the package's `prepare` script, the build a publisher's pack runs
    const packed = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: source, env, maxBuffer: 64 * 1024 * 1024 });
    const { filename, files } = (JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>)[0]!;
    const paths = files.map((f) => f.path);
    for (const p of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'src/serve/public/index.html', 'scripts/build-native.mjs', 'LICENSE']) assert.ok(paths.includes(p), `the tarball holds ${p}`);
    assert.ok(!paths.some((p) => p.startsWith('test/') || p.startsWith('src/cli/')), 'no tests and no TypeScript sources beyond the dashboard assets');

    const project = join(work, 'consumer');
    await linkDependencies(join(project, 'node_modules'));
    await mkdir(join(project, 'node_modules', 'stockcast'));
    await tar.x({ file: join(work, filename), cwd: join(project, 'node_modules', 'stockcast'), strip: 1 });
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { stockcast: `file:../${filename}` } }));
    await writeFile(join(project, 'consumer.mts'), CONSUMER);
    // skipLibCheck as in most projects (TensorFlow.js's own declarations do not pass a strict check without it)
    const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: ['node'], skipLibCheck: true, outDir: 'out' };
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.mts'] }));
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project }).catch((err: { stdout?: string }) => assert.fail(`the consumer does not type-check:\n${err.stdout}`));
    // the types are real, not \`any\`: misuse of the API is a compile error
    await writeFile(join(project, 'misuse.mts'), "import { STOCKCAST_VERSION, TrainedModel } from 'stockcast';\nconst v: number = STOCKCAST_VERSION;\nawait TrainedModel.load('not a store', 'm');\nexport { v };\n");
    await writeFile(join(project, 'tsconfig.misuse.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true }, files: ['misuse.mts'] }));
    const misuse = await run(process.execPath, [tsc, '-p', 'tsconfig.misuse.json'], { cwd: project }).then(() => '', (err: { stdout?: string }) => err.stdout ?? '');
    assert.match(misuse, /misuse\.mts\(2,7\): error TS2322: Type 'string' is not assignable to type 'number'/);
    assert.match(misuse, /misuse\.mts\(3,25\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'ObjectStore'/);

    const store = join(work, 'store');
    const { stdout } = await run(process.execPath, [join(project, 'out', 'consumer.mjs'), FIXTURE, store], { cwd: project, maxBuffer: 16 * 1024 * 1024 });
    const out = JSON.parse(stdout) as { version: string; written: number; rows: number; symbols: string[]; windows: number; pred: number[]; runs: Array<{ stocks: number; finalMoney: number; trades: number }> };
    const expected = JSON.parse(await readFile(join(FIXTURE, 'expected.json'), 'utf8')) as { test: { windows: number; pred: number[] } };
    assert.equal(out.version, JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).version);
    assert.equal(out.written, 3 * 253, 'three symbols × the trading days of 2020 written to the store');
    assert.equal(out.rows, 3 * 253, 'and read back by queryWide');
    assert.deepEqual(out.symbols, ['SYN00', 'SYN01', 'SYN02']);
    assert.equal(out.windows, expected.test.windows, "the fixture model's test windows");
    out.pred.forEach((p, i) => assert.ok(Math.abs(p - expected.test.pred[i]!) <= 1e-4 * Math.abs(expected.test.pred[i]!), `pred[${i}] ${p} vs ${expected.test.pred[i]} (the model's recorded forecast)`));
    assert.deepEqual(out.runs.map((r) => r.stocks), [1, 2]);
    for (const r of out.runs) assert.ok(Number.isFinite(r.finalMoney) && r.finalMoney > 0 && r.trades > 0, JSON.stringify(r));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
