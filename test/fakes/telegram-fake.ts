import { HttpFake, type FakeAnswer, type SeenRequest } from './http-fake.js';

/** A message the fake Bot API accepted. */
export interface SentMessage {
  chatId: string;
  text: string;
  disableWebPagePreview: unknown;
}

/** The fake and what it received. */
export interface TelegramFake {
  url: string;
  http: HttpFake;
  sent: SentMessage[];
  close(): Promise<void>;
}

const fail = (status: number, description: string, parameters?: Record<string, unknown>): FakeAnswer => ({
  status,
  body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
});

/**
 * Telegram's Bot API as far as alerts use it (core.telegram.org/bots/api): `POST /bot<token>/sendMessage` with a
 * JSON body `{ chat_id, text, … }` answers `{ ok: true, result: Message }`; an unknown token 401 "Unauthorized";
 * an unknown chat 400 "Bad Request: chat not found"; an empty text 400; `rateLimitOnce` answers one 429 with
 * `parameters.retry_after` in the body (and no Retry-After header), as Telegram's flood control does.
 */
export async function startTelegramFake(o: { token: string; chats: string[]; rateLimitOnce?: number }): Promise<TelegramFake> {
  const sent: SentMessage[] = [];
  let rateLimit = o.rateLimitOnce;
  let messageId = 0;
  const handler = (req: SeenRequest): FakeAnswer => {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.path);
    if (!m || m[2] !== 'sendMessage') return fail(404, 'Not Found');
    if (decodeURIComponent(m[1]!) !== o.token) return fail(401, 'Unauthorized');
    if (req.method !== 'POST' || !/^application\/json/.test(String(req.headers['content-type']))) return fail(400, 'Bad Request: expected a JSON POST');
    const body = JSON.parse(req.body) as { chat_id?: unknown; text?: unknown; disable_web_page_preview?: unknown };
    if (rateLimit !== undefined) {
      const wait = rateLimit;
      rateLimit = undefined;
      return fail(429, `Too Many Requests: retry after ${wait}`, { retry_after: wait });
    }
    if (!o.chats.includes(String(body.chat_id))) return fail(400, 'Bad Request: chat not found');
    if (typeof body.text !== 'string' || body.text.length === 0) return fail(400, 'Bad Request: message text is empty');
    if (body.text.length > 4096) return fail(400, 'Bad Request: message is too long');
    sent.push({ chatId: String(body.chat_id), text: body.text, disableWebPagePreview: body.disable_web_page_preview });
    return { status: 200, body: { ok: true, result: { message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat: { id: Number(body.chat_id), type: 'private' }, text: body.text } } };
  };
  const http = await new HttpFake(handler).start();
  return { url: http.url, http, sent, close: () => http.close() };
}
