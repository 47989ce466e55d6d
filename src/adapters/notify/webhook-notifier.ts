import { requestJson } from '../../core/http/http-json.js';
import { MalformedResponseError } from '../../core/http/http-error.js';
import { withRetries, type RetryOptions } from '../../core/http/retry.js';
import { registerSecret } from '../../core/redact.js';
import type { AlertMessage, Notifier } from './notifier.js';

/** Options of the generic JSON webhook. */
export interface WebhookNotifierOptions extends RetryOptions {
  /** The URL to POST to; its path and query are treated as secrets (Slack, Discord and others keep the key there). */
  url: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * POSTs `{ text, source, event, asOf, problems }` as JSON: `text` is what Slack, Mattermost, Rocket.Chat and
 * Google Chat incoming webhooks display; the rest is for your own receiver. Any 2xx counts as delivered (the
 * body may be empty or not JSON); 429, 408 and 5xx are retried with the shared policy.
 */
export class WebhookNotifier implements Notifier {
  readonly name: string;

  constructor(private readonly o: WebhookNotifierOptions) {
    const u = new URL(o.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('webhook: expected an http(s) URL');
    registerSecret(o.url);
    if (u.pathname.length > 8) registerSecret(u.pathname);
    if (u.search.length > 8) registerSecret(u.search);
    this.name = `webhook ${u.origin}`;
  }

  /** {@inheritDoc Notifier.send} */
  async send(message: AlertMessage): Promise<void> {
    const body = { text: message.text, source: 'stockcast', event: message.event, asOf: message.asOf, problems: message.problems };
    await withRetries(() => postAccepted(this.o.url, body, this.o), this.o);
  }
}

/** A POST whose 2xx answer may be empty or plain text (`ok` from Slack): only the status matters. */
async function postAccepted(url: string, body: unknown, o: WebhookNotifierOptions): Promise<void> {
  try {
    await requestJson<unknown>(url, { method: 'POST', body, fetch: o.fetch, timeoutMs: o.timeoutMs });
  } catch (err) {
    // requestJson insists on JSON; a webhook that answered 2xx with text has delivered the message
    const status = (err as { status?: number }).status;
    if (err instanceof MalformedResponseError && status !== undefined && status >= 200 && status < 300) return;
    throw err;
  }
}
