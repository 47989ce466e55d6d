import type { Command } from 'commander';
import { openRuntime, type Runtime } from './runtime.js';
import { flag, intFlag, isoTimeFlag } from './flags.js';
import type { DashboardSources } from '../serve/sources.js';

/** Options of `stockcast serve`. */
export interface ServeCommandOptions {
  host: string;
  port: number;
  now?: Date;
}

/** The ports the dashboard reads, from this runtime's settings (the ledger opened per request, read-only). */
export async function dashboardSources(runtime: Runtime, now?: Date): Promise<DashboardSources> {
  return {
    models: await runtime.modelStore(),
    features: () => runtime.featureStore(),
    featureObjects: () => runtime.objectStore(),
    featurePrefix: runtime.settings.featurePrefix,
    // opened per request and read-only, so a scheduled `trade` is locked out for milliseconds at most
    openLedger: () => runtime.openLedger({ readOnly: true }),
    now: () => now ?? new Date(),
  };
}

/** `stockcast serve`: the read-only dashboard over this runtime's stores; runs until Ctrl-C. */
export async function runServe(o: ServeCommandOptions): Promise<void> {
  if (!(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535)) throw new Error(`--port: expected an integer 0…65535, got ${String(o.port)}`);
  const now = o.now;
  const runtime = await openRuntime();
  const { startDashboard } = await import('../serve/dashboard-server.js');
  const dashboard = await startDashboard({ host: o.host, port: o.port, sources: await dashboardSources(runtime, now) });
  process.stdout.write(`stockcast dashboard (read-only) at ${dashboard.url}  —  Ctrl-C to stop\n`);
  if (o.host !== '127.0.0.1' && o.host !== 'localhost' && o.host !== '::1') process.stderr.write(`serve: listening on ${o.host}: anyone who can reach this address can read your models and ledger\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await dashboard.close();
  await runtime.close();
}

/** Registers `stockcast serve`. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('A local, read-only web dashboard: models, evaluations, forecasts, trading and data coverage.')
    .addOption(flag('--port <n>', 'port to listen on, 0–65535 (0 = any free port)', intFlag({ min: 0, max: 65_535 }), 8750))
    .option('--host <address>', 'address to listen on (default loopback only; 0.0.0.0 exposes it to your network)', '127.0.0.1')
    .addOption(flag('--now <iso>', 'judge missed trading runs as of this time (default: now)', isoTimeFlag()))
    .action(async (opts: ServeCommandOptions) => {
      await runServe(opts);
    });
}
