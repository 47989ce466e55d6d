#!/usr/bin/env bash
# The README's quality figures (issue 10 item 7): the seed's favourite config on ../shared/data, 2018 the test year,
# with and without market covariates, by evaluate --compare and by walk-forward. Every training step has a time
# budget (minutes, per model or per fold): set BUDGET / FOLD_BUDGET for a longer run on a quiet machine.
# Usage (from the repository root, after `npm ci`): bash scripts/quality/run.sh [home directory]
# Smoke run on the committed fixture: BARS=test/fixtures/sp500-6-symbols-2015-2018.csv.gz BUDGET=1 FOLD_BUDGET=1 bash scripts/quality/run.sh /tmp/q
set -euo pipefail
HOME_DIR="${1:-.stockcast-quality}"
BUDGET="${BUDGET:-15}"
FOLD_BUDGET="${FOLD_BUDGET:-12}"
DATA="${DATA:-../shared/data}"
BARS="${BARS:-$DATA/sp500-daily-2015-2018.csv.gz}"
VIX="${VIX:-$DATA/vix-daily-2015-2018.csv}"
mkdir -p "$HOME_DIR"
export STOCKCAST_HOME="$HOME_DIR"
SC="node dist/cli/main.js"
CFG=scripts/quality/configs.yaml
A=sp500-favourite
B=sp500-favourite-covariates

$SC backfill --source csv --csv "$BARS" --features open,day_of_week,day_of_month,month \
  --start 2015-01-01 --end 2018-12-31
$SC backfill --source csv --csv "$BARS" --features vix_open,market_open_return \
  --vix-csv "$VIX" --start 2015-01-01 --end 2018-12-31
for M in $A $B; do
  $SC train --config $CFG --model-id $M --max-minutes "$BUDGET"
  $SC predict --model-id $M
  $SC evaluate --config $CFG --model-id $M --json > "$HOME_DIR/$M-evaluate.json"
done
$SC evaluate --config $CFG --compare $A $B | tee "$HOME_DIR/compare.txt"
$SC evaluate --config $CFG --compare $A $B --json > "$HOME_DIR/compare.json"
for M in $A $B; do
  $SC walk-forward --config $CFG --model-id $M --folds 2 --max-minutes "$FOLD_BUDGET" | tee "$HOME_DIR/$M-walk-forward.txt"
done
