import { STOCKCAST_VERSION } from '../core/version.js';
import { ApiError, dateParam, modelIdParam } from './api-error.js';
import { listModels, modelDetail, modelEvaluation, modelExplanation, modelForecast } from './api-models.js';
import { dataCoverage, featureGaps, featureHistory } from './api-data.js';
import { tradingOverview, tradingRuns } from './api-trading.js';
import type { DashboardSources } from './sources.js';

type Handler = (params: string[], query: URLSearchParams, sources: DashboardSources) => Promise<unknown>;

const intParam = (q: URLSearchParams, name: string, fallback: number): number => {
  const v = q.get(name);
  if (v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ApiError(400, `${name}: expected an integer, got ${JSON.stringify(v)}`);
  return n;
};

const required = (q: URLSearchParams, name: string): string => {
  const v = q.get(name);
  if (!v) throw new ApiError(400, `missing query parameter ${name}`);
  return v;
};

/** The JSON API the pages use (GET only); each entry: path pattern, then the handler of its captured segments. */
const ROUTES: Array<[RegExp, Handler]> = [
  [/^\/api\/health$/, async () => ({ ok: true, version: STOCKCAST_VERSION })],
  [/^\/api\/models$/, async (_p, _q, s) => listModels(s.models)],
  [/^\/api\/models\/([^/]+)$/, async ([id], _q, s) => modelDetail(s.models, modelIdParam(id!))],
  [/^\/api\/models\/([^/]+)\/evaluation$/, async ([id], _q, s) => modelEvaluation(s.models, modelIdParam(id!))],
  [/^\/api\/models\/([^/]+)\/explanation\/([^/]+)$/, async ([id, split], _q, s) => modelExplanation(s.models, modelIdParam(id!), split!)],
  [/^\/api\/models\/([^/]+)\/forecast$/, async ([id], q, s) => modelForecast(s.models, modelIdParam(id!), dateParam('asOf', q.get('asOf')))],
  [
    /^\/api\/history$/,
    async (_p, q, s) =>
      featureHistory(await s.features(), { feature: required(q, 'feature'), symbol: required(q, 'symbol'), end: dateParam('end', required(q, 'end'))!, days: intParam(q, 'days', 120), after: intParam(q, 'after', 0) }),
  ],
  [/^\/api\/trading$/, async (_p, _q, s) => tradingOverview(s)],
  [/^\/api\/trading\/([^/]+)\/runs$/, async ([id], q, s) => tradingRuns(s, modelIdParam(id!), intParam(q, 'limit', 200))],
  [/^\/api\/data$/, async (_p, q, s) => dataCoverage(await s.features(), await s.featureObjects(), s.featurePrefix, q.get('timeFrame') || undefined)],
  [/^\/api\/data\/gaps$/, async (_p, q, s) => featureGaps(await s.features(), required(q, 'feature'), required(q, 'symbol'))],
];

/** Answers one API path, or throws an `ApiError` (404 for an unknown path). */
export async function answerApi(path: string, query: URLSearchParams, sources: DashboardSources): Promise<unknown> {
  for (const [pattern, handler] of ROUTES) {
    const m = pattern.exec(path);
    if (m) return handler(m.slice(1), query, sources);
  }
  throw new ApiError(404, `no such API endpoint: ${path}`);
}
