import { hostname } from 'node:os';
import type { OrderLedger } from '../store/order-ledger.js';
import type { AlertMessage, AlertProblem, Notifier } from '../adapters/notify/notifier.js';
import { modelRunStatus } from '../trade/trade-report.js';
import { nyDate } from '../core/ny-time.js';
import { redactSecrets } from '../core/redact.js';

/**
 * Alerts for scheduled trading (`trade status --notify`): a model whose run was missed, whose last run stopped
 * half way, or whose last run had orders the broker rejected.
 */

/** The problems of every model in the ledger as of `now`; `intervalFor` gives each model's trading interval. */
export async function runProblems(ledger: OrderLedger, now: Date, intervalFor: (modelId: string) => number): Promise<AlertProblem[]> {
  const problems: AlertProblem[] = [];
  for (const modelId of await ledger.listModels()) {
    const runs = await ledger.listRuns(modelId, 50);
    const last = runs[0];
    if (!last) continue;
    const s = modelRunStatus(modelId, runs, now, intervalFor(modelId));
    if (last.runStatus !== 'complete') {
      problems.push({ modelId, kind: 'unfinished', lastRunDate: last.runDate, detail: `the run of ${last.runDate} stopped while ${last.runStatus}; re-run \`stockcast trade --model-id ${modelId} --execute\` to finish it safely` });
    } else if (s.missed) {
      problems.push({ modelId, kind: 'missed', lastRunDate: last.runDate, detail: `no run since ${last.runDate}; the next was due ${s.nextDue}` });
    }
    const rejected = last.orders.filter((o) => o.status === 'rejected');
    if (rejected.length > 0) {
      const shown = rejected.slice(0, 5).map((o) => `${o.orderType} ${o.symbol}${o.error ? `: ${o.error}` : ''}`);
      problems.push({ modelId, kind: 'rejected', lastRunDate: last.runDate, detail: `${rejected.length} rejected order(s) on ${last.runDate}: ${shown.join('; ')}${rejected.length > 5 ? '; …' : ''}` });
    }
  }
  return problems;
}

/** The message for a set of problems (plain text: chat channels show it as is). */
export function alertMessage(problems: AlertProblem[], now: Date, host = hostname()): AlertMessage {
  const head = `stockcast on ${host}: ${problems.length} trading problem(s) as of ${nyDate(now)} (${now.toISOString().slice(0, 16)}Z)`;
  const lines = problems.map((p) => `- ${p.modelId}: ${p.kind}: ${p.detail}`);
  return { event: 'trade-status', asOf: now.toISOString(), text: redactSecrets([head, ...lines].join('\n')), problems };
}

/** What happened to one channel's delivery. */
export interface Delivery {
  channel: string;
  ok: boolean;
  /** The failure, masked, when not ok. */
  error?: string;
}

/** Sends the message to every channel; one failing channel does not stop the others. */
export async function deliverAlert(notifiers: Notifier[], message: AlertMessage): Promise<Delivery[]> {
  return Promise.all(
    notifiers.map(async (n) => {
      try {
        await n.send(message);
        return { channel: n.name, ok: true };
      } catch (err) {
        return { channel: n.name, ok: false, error: redactSecrets((err as Error)?.message ?? String(err)) };
      }
    }),
  );
}
