import { requestJson } from '../../core/http/http-json.js';
import { HttpClientError, RateLimitedError } from '../../core/http/http-error.js';
import { withRetries, type RetryOptions } from '../../core/http/retry.js';
import { maskThenCut, registerSecret } from '../../core/redact.js';
import type { AlertMessage, Notifier } from './notifier.js';

/** Telegram's Bot API host. */
export const TELEGRAM_API_URL = 'https://api.telegram.org';
/** Telegram refuses longer message texts. */
const MAX_TEXT = 4096;

/** Options of the Telegram channel (the seed's alert): a bot token and the chat it posts into. */
export interface TelegramNotifierOptions extends RetryOptions {
  /** TELEGRAM_BOT_TOKEN: it is part of the request path, so it is registered as a secret and never printed. */
  botToken: string;
  /** TELEGRAM_CHAT_ID: a numeric id or an @channelusername. */
  chatId: string;
  /** Default TELEGRAM_API_URL (tests point it at a fake). */
  apiUrl?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Telegram's answer envelope: `{ ok, result }` or `{ ok: false, error_code, description, parameters.retry_after }`. */
interface TelegramAnswer {
  ok?: boolean;
  description?: string;
  parameters?: { retry_after?: number };
}

/** Sends alerts with the Bot API's sendMessage (plain text, link previews off), retrying 429 and 5xx. */
export class TelegramNotifier implements Notifier {
  readonly name: string;
  private readonly url: string;

  constructor(private readonly o: TelegramNotifierOptions) {
    if (!/^\d+:[A-Za-z0-9_-]+$/.test(o.botToken)) throw new Error('TELEGRAM_BOT_TOKEN: expected a bot token as BotFather gives it (<digits>:<letters, digits, _ and ->)');
    if (!/^(-?\d+|@[A-Za-z0-9_]{5,})$/.test(o.chatId)) throw new Error(`TELEGRAM_CHAT_ID: expected a numeric chat id or an @channel name, got ${JSON.stringify(o.chatId)}`);
    registerSecret(o.botToken);
    this.url = `${(o.apiUrl ?? TELEGRAM_API_URL).replace(/\/+$/, '')}/bot${o.botToken}/sendMessage`;
    this.name = `telegram chat ${o.chatId}`;
  }

  /** {@inheritDoc Notifier.send} */
  async send(message: AlertMessage): Promise<void> {
    const text = maskThenCut(message.text, MAX_TEXT - 1);
    const body = { chat_id: this.o.chatId, text, disable_web_page_preview: true };
    await withRetries(() => this.post(body), this.o);
  }

  private async post(body: unknown): Promise<void> {
    let answer: TelegramAnswer;
    try {
      answer = (await requestJson<TelegramAnswer>(this.url, { method: 'POST', body, fetch: this.o.fetch, timeoutMs: this.o.timeoutMs })).body;
    } catch (err) {
      throw explain(err);
    }
    if (answer?.ok !== true) throw new Error(`telegram sendMessage: the answer is not ok (${maskThenCut(String(answer?.description ?? 'no description'), 200)})`);
  }
}

/** Telegram's 429 says how long to wait in its body; a refused token or unknown chat gets a hint. */
function explain(err: unknown): unknown {
  const body = (err as { body?: string }).body;
  let parsed: TelegramAnswer | undefined;
  try {
    parsed = body ? (JSON.parse(body) as TelegramAnswer) : undefined;
  } catch {
    parsed = undefined;
  }
  if (err instanceof RateLimitedError && err.retryAfterMs === undefined && typeof parsed?.parameters?.retry_after === 'number') {
    return new RateLimitedError(err.message, parsed.parameters.retry_after * 1000, { cause: err, body });
  }
  if (err instanceof HttpClientError && (err.status === 401 || err.status === 404)) {
    return new HttpClientError(`telegram refused the bot token (HTTP ${err.status}): check TELEGRAM_BOT_TOKEN`, err.status, { cause: err });
  }
  if (err instanceof HttpClientError && /chat not found/i.test(parsed?.description ?? '')) {
    return new HttpClientError('telegram: chat not found: check TELEGRAM_CHAT_ID, and that the bot was added to the chat', err.status, { cause: err });
  }
  return err;
}
