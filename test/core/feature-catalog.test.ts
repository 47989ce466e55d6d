import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEATURE_NAMES, featureSpec, featuresWithRole, needsEarnings } from '../../src/core/feature-catalog.js';

test('every feature has a dataset role; roles list features in catalog order whatever the config order', () => {
  for (const name of FEATURE_NAMES) assert.ok(['knownCategorical', 'unknownReal'].includes(featureSpec(name).role), name);
  const config = ['is_earnings_day', 'volume', 'day_of_week', 'surprise', 'open', 'trade_count', 'year', 'nope'];
  assert.deepEqual(featuresWithRole(config, 'knownCategorical'), ['year', 'day_of_week', 'is_earnings_day']);
  assert.deepEqual(featuresWithRole(config, 'unknownReal'), ['open', 'trade_count', 'volume', 'surprise']);
});

test('earnings features need an earnings source; bar and calendar features do not', () => {
  assert.equal(needsEarnings(['open', 'day_of_week']), false);
  assert.equal(needsEarnings(['open', 'surprise']), true);
  assert.equal(needsEarnings(['is_earnings_day']), true);
  assert.deepEqual(FEATURE_NAMES.filter((f) => featureSpec(f).logScaled), ['trade_count', 'volume']);
});
