import assert from 'node:assert/strict';
import { runCli, type CliRun } from './cli.js';

/**
 * One configs.yaml entry of a tiny daily model on 2020 (trains in seconds): `features`, `target`, and an optional
 * preferred SimpleXDaysAheadBuying test buying `stocks` symbols, negative forecasts included.
 */
export function tinyConfigEntry(id: string, o: { features: string[]; target?: string; stocks?: number }): string {
  const strategy = o.stocks === undefined ? '' : `    preferred_trading_strategy: _performance_test_1
    _performance_test_1:
      _test_strategy: SimpleXDaysAheadBuying
      _interval_days: 1
      _num_stocks_purchased: ${o.stocks}
      _uncertainty_multiplier: 0.1
      _dont_buy_negative_stocks: False
`;
  return `  ${id}:
    target: ${o.target ?? 'open'}
    features: [${o.features.join(', ')}]
    train_start: "2020-01-01"
    train_end: "2020-07-01"
    val_end: "2020-10-01"
    test_end: "2021-01-01"
    max_lookback_period: 10
    max_prediction_length: 2
    batch_size: 64
    hidden_size: 8
    attention_head_size: 1
    hidden_continuous_size: 4
    learning_rate: 0.003
    max_epochs: 1
${strategy}`;
}

/** `stockcast` in a scratch directory known only once the suite has started: `cli` runs, `ok` also asserts exit 0. */
export function cliSession(dir: () => string): { cli: (...args: string[]) => Promise<CliRun>; ok: (args: string[]) => Promise<CliRun> } {
  const cli = (...args: string[]) => runCli(args, dir());
  const ok = async (args: string[]): Promise<CliRun> => {
    const r = await cli(...args);
    assert.equal(r.code, 0, `stockcast ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
    return r;
  };
  return { cli, ok };
}
