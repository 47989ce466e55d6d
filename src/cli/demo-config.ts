import { getConfig, parseConfigText, type ModelConfig } from '../config/seed-config.js';

/** The demo's model config, in the seed's configs.yaml format: small enough to train in about a minute. */
export const DEMO_CONFIG_YAML = `
configs:
  demo-synthetic:
    notes: 'offline demo on the synthetic market (stockcast demo)'
    features: [open, day_of_week, surprise, is_earnings_day]
    train_start: "2019-01-01"
    train_end: "2022-01-01"
    val_end: "2023-01-01"
    test_end: "2025-01-01"
    max_lookback_period: 20
    max_prediction_length: 2
    batch_size: 256
    hidden_size: 8
    attention_head_size: 1
    dropout: 0.1
    hidden_continuous_size: 4
    lstm_layers: 1
    learning_rate: 0.003
    max_epochs: 3
    time_frame_unit: 'Day'
    time_frame_amount: 1
    reduce_on_plateau_patience: 5
    preferred_trading_strategy: _performance_test_1
    _performance_test_1:
      _test_strategy: SimpleXDaysAheadBuying
      _interval_days: 1
      _num_stocks_purchased: 5
      _capital_gains_tax: 0.35
      _uncertainty_multiplier: 0.1
      _compound_money: True
      _dont_buy_negative_stocks: True
`;

/** The parsed demo config. */
export function demoConfig(): ModelConfig {
  return getConfig(parseConfigText(DEMO_CONFIG_YAML, '<embedded demo config>'), 'demo-synthetic');
}
