import { InvalidArgumentError, Option } from 'commander';
import type { OrderLedger } from '../store/order-ledger.js';
import type { Notifier } from '../adapters/notify/notifier.js';
import { alertMessage, deliverAlert, runProblems } from '../pipeline/status-alert.js';
import { registerUrlSecrets } from '../config/settings.js';
import { logLine } from './output.js';
import type { Runtime } from './runtime.js';

/** Exit code of `trade status --notify` when an alert could not be delivered (nobody was told). */
export const ALERT_FAILED_EXIT_CODE = 3;

/** `--notify [url]`: post an alert for missed, unfinished or rejected runs (the URL is a JSON webhook). */
export function notifyOption(): Option {
  return new Option(
    '--notify [url]',
    'alert when a run was missed, left unfinished or had rejected orders: a JSON webhook at <url> and/or STOCKCAST_NOTIFY_URL, and Telegram with TELEGRAM_BOT_TOKEN + TELEGRAM_CHAT_ID',
  ).argParser((value: string) => {
    registerUrlSecrets(value);
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new InvalidArgumentError('Expected an http(s) webhook URL.');
    return value;
  });
}

/**
 * The channels `--notify` names (`true` for the configured ones, a URL for `--notify <url>` as well), checked
 * before the status is computed: a misconfigured channel is an error, not a silent alert that never goes out.
 */
export async function alertChannels(runtime: Runtime, notify: true | string): Promise<Notifier[]> {
  const channels = await runtime.notifiers(typeof notify === 'string' ? notify : undefined);
  if (channels.length === 0) {
    throw new Error('--notify: no alert channel: give a webhook URL (--notify <url>), or set STOCKCAST_NOTIFY_URL, or TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID');
  }
  return channels;
}

/** What `trade status --notify` needs: the channels, the ledger it judged, and how. */
export interface NotifyStatusOptions {
  channels: Notifier[];
  ledger: OrderLedger;
  now: Date;
  /** Each model's trading interval in trading days. */
  intervalFor: (modelId: string) => number;
}

/**
 * Sends one alert listing every problem to every channel (nothing when all is well), logs each delivery on
 * stderr, and sets exit code 3 when a channel failed after its retries.
 */
export async function notifyStatus(o: NotifyStatusOptions): Promise<void> {
  const problems = await runProblems(o.ledger, o.now, o.intervalFor);
  if (problems.length === 0) {
    logLine(`notify: nothing to report (${o.channels.map((c) => c.name).join(', ')})`);
    return;
  }
  for (const d of await deliverAlert(o.channels, alertMessage(problems, o.now))) {
    logLine(d.ok ? `notify: alert sent to ${d.channel}` : `notify: alert to ${d.channel} FAILED: ${d.error}`);
    if (!d.ok) process.exitCode = ALERT_FAILED_EXIT_CODE;
  }
}
