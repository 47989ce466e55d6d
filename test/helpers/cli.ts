import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
// the CLI runs in a scratch directory, so tsx is resolved from the project rather than the cwd
const TSX = import.meta.resolve('tsx');

/** What one CLI run printed and how it exited. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `stockcast <args>` in a child process, as a user would: in `cwd`, with a clean environment (STOCKCAST_HOME `<cwd>/home`) plus `env` (optionally as another user; `onSpawn` gets the process). */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}, o: { uid?: number; gid?: number; onSpawn?: (child: ChildProcess) => void } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, STOCKCAST_HOME: join(cwd, 'home'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      uid: o.uid,
      gid: o.gid,
    });
    o.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A step run at most once however many tests need it (a failure is remembered, so every dependant reports it). */
export function once<T>(step: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= step());
}

/** A configs.yaml with one tiny daily model `tiny` (open + day_of_week, 2020, trained in seconds). */
export const TINY_CONFIGS = `configs:
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
