import { after, before } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRuntime } from '../../src/cli/runtime.js';
import { dashboardSources } from '../../src/cli/serve.js';
import { startDashboard } from '../../src/serve/dashboard-server.js';
import { buildHome, type DashboardContext } from './serve-home.js';
import { apiChecks } from './api-checks.js';
import { browserChecks } from './browser-checks.js';

const ctx = { secret: 'sk-dashboard-secret-7f3a9c' } as DashboardContext;

before(async () => {
  ctx.dir = await mkdtemp(join(tmpdir(), 'sc-serve-'));
  ctx.outputs = await buildHome(ctx.dir);
  ctx.runtime = await openRuntime({ cwd: ctx.dir, env: { STOCKCAST_HOME: join(ctx.dir, 'home'), ALPACA_KEY: 'key-id-1234', ALPACA_SECRET: ctx.secret } });
  // the dashboard's clock: a week after the last trade run, so that model has missed runs
  ctx.dashboard = await startDashboard({ port: 0, sources: await dashboardSources(ctx.runtime, new Date('2021-01-12T15:00:00Z')), log: () => {} });
});

after(async () => {
  await ctx.dashboard?.close();
  await ctx.runtime?.close();
  await rm(ctx.dir, { recursive: true, force: true });
});

apiChecks(ctx);
browserChecks(ctx);
