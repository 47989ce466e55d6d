import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Runtime } from '../../src/cli/runtime.js';
import type { RunningDashboard } from '../../src/serve/dashboard-server.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** Runs the stockcast CLI in a child process with STOCKCAST_HOME under `dir`. */
export function runCli(args: string[], dir: string, extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, STOCKCAST_HOME: join(dir, 'home'), ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs the CLI and fails with its stderr unless it exits 0. */
async function ok(args: string[], dir: string): Promise<string> {
  const r = await runCli(args, dir);
  if (r.code !== 0) throw new Error(`stockcast ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

const CONFIGS = `configs:
  tiny:
    features: [open, day_of_week]
    train_start: "2020-01-01"
    train_end: "2020-07-01"
    val_end: "2020-10-01"
    test_end: "2021-01-01"
    max_lookback_period: 10
    max_prediction_length: 2
    batch_size: 64
    hidden_size: 8
    attention_head_size: 1
    dropout: 0.1
    hidden_continuous_size: 4
    lstm_layers: 1
    learning_rate: 0.003
    max_epochs: 2
    time_frame_unit: Day
    time_frame_amount: 1
    reduce_on_plateau_patience: 5
    preferred_trading_strategy: _performance_test_1
    _performance_test_1:
      _test_strategy: SimpleXDaysAheadBuying
      _interval_days: 1
      _num_stocks_purchased: 2
      _capital_gains_tax: 0.35
      _uncertainty_multiplier: 0.1
      _compound_money: True
      _dont_buy_negative_stocks: False
`;

/** What the CLI printed as JSON while building the home, to compare the dashboard against. */
export interface HomeOutputs {
  evaluation: { runs: Array<{ finalMoney: number }>; best: number; forecastQuality: { quantileLoss: number; rankIc: { mean: number }; mae: number; naiveMae: number } };
  explanation: { encoderImportance: Record<string, number>; windows: number };
}

/**
 * A small home with the real pipeline's outputs: 4 synthetic symbols over 2020, a tiny model trained for 2 epochs,
 * predictions, an evaluation, an explanation, two forecasts (back-dated and latest), and two paper trade runs.
 */
export async function buildHome(dir: string): Promise<HomeOutputs> {
  await writeFile(join(dir, 'configs.yaml'), CONFIGS);
  await ok(['backfill', '--symbols', 'SYN00,SYN01,SYN02,SYN03', '--features', 'open,day_of_week', '--start', '2020-01-01', '--end', '2020-12-31'], dir);
  await ok(['train', '--model-id', 'tiny', '--threads', '1'], dir);
  await ok(['predict', '--model-id', 'tiny'], dir);
  const [evaluation, explanation] = await Promise.all([
    ok(['evaluate', '--model-id', 'tiny', '--json', '--num-stocks', '1,2', '--uncertainty', '0.1,0.3'], dir),
    ok(['explain', '--model-id', 'tiny', '--json'], dir),
    ok(['forecast', '--model-id', 'tiny', '--as-of', '2020-12-15'], dir),
    ok(['forecast', '--model-id', 'tiny'], dir),
  ]);
  for (const day of ['2021-01-04', '2021-01-05']) await ok(['trade', '--model-id', 'tiny', '--broker', 'paper', '--now', `${day}T15:00:00Z`, '--execute'], dir);
  return { evaluation: JSON.parse(evaluation) as HomeOutputs['evaluation'], explanation: JSON.parse(explanation) as HomeOutputs['explanation'] };
}

/** What the dashboard checks share: one home built by the real pipeline, and the dashboard serving it. */
export interface DashboardContext {
  dir: string;
  outputs: HomeOutputs;
  runtime: Runtime;
  dashboard: RunningDashboard;
  /** A registered secret: no page or API answer may contain it. */
  secret: string;
}
