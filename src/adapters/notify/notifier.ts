/** The alert port: a channel that delivers one message (a generic JSON webhook, Telegram, …). */

/** One thing that went wrong with a model's scheduled trading. */
export interface AlertProblem {
  modelId: string;
  /** `missed`: no run when one was due; `unfinished`: the last run stopped half way; `rejected`: the broker refused orders. */
  kind: 'missed' | 'unfinished' | 'rejected';
  /** One line for a human. */
  detail: string;
  /** The model's last recorded run (New-York date). */
  lastRunDate: string;
}

/** What a notifier sends: a text for people and the problems for machines. */
export interface AlertMessage {
  /** What produced the alert, e.g. `trade-status`. */
  event: string;
  /** When it was judged (ISO UTC). */
  asOf: string;
  /** The whole message as plain text (what chat channels show). */
  text: string;
  problems: AlertProblem[];
}

/** A channel that delivers alerts. Implementations retry transient failures and never put secrets in errors. */
export interface Notifier {
  /** The channel for messages, without secrets (e.g. `telegram chat 42`, `webhook https://hooks.example.com`). */
  readonly name: string;
  send(message: AlertMessage): Promise<void>;
}
