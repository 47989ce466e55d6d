import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, TINY_CONFIGS } from '../helpers/cli.js';
import type { Runtime } from '../../src/cli/runtime.js';
import type { RunningDashboard } from '../../src/serve/dashboard-server.js';

/** Runs the CLI and fails with its stderr unless it exits 0. */
async function ok(args: string[], dir: string): Promise<string> {
  const r = await runCli(args, dir);
  if (r.code !== 0) throw new Error(`stockcast ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
  return r.stdout;
}


/** What the CLI printed as JSON while building the home, to compare the dashboard against. */
export interface HomeOutputs {
  evaluation: {
    runs: Array<{ finalMoney: number }>;
    best: number;
    forecastQuality: { quantileLoss: number; rankIc: { mean: number }; mae: number; naiveMae: number };
    verdict: { sentence: string; beatsAll: boolean };
    baselines: Array<{ name: string; quantileLoss: number; mae: number }>;
  };
  explanation: { encoderImportance: Record<string, number>; windows: number };
}

/**
 * A small home with the real pipeline's outputs: 4 synthetic symbols over 2020, a tiny model trained for 2 epochs,
 * predictions, an evaluation, an explanation, two forecasts (back-dated and latest), and two paper trade runs.
 */
export async function buildHome(dir: string): Promise<HomeOutputs> {
  await writeFile(join(dir, 'configs.yaml'), TINY_CONFIGS);
  await ok(['backfill', '--source', 'synthetic', '--symbols', 'SYN00,SYN01,SYN02,SYN03', '--features', 'open,day_of_week', '--start', '2020-01-01', '--end', '2020-12-31'], dir);
  await ok(['train', '--model-id', 'tiny', '--threads', '1'], dir);
  await ok(['predict', '--model-id', 'tiny'], dir);
  const [evaluation, explanation] = await Promise.all([
    ok(['evaluate', '--model-id', 'tiny', '--json', '--num-stocks', '1,2', '--uncertainty', '0.1,0.3'], dir),
    ok(['explain', '--model-id', 'tiny', '--json'], dir),
    ok(['forecast', '--model-id', 'tiny', '--as-of', '2020-12-15'], dir),
    ok(['forecast', '--model-id', 'tiny', '--now', '2020-12-31T22:00:00Z'], dir),
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
