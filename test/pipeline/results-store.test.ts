import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { evaluatePredictions, baseParams } from '../../src/backtest/evaluation.js';
import type { PredictionTable } from '../../src/core/prediction-table.js';
import type { ArtifactMeta } from '../../src/model/artifact.js';
import {
  evaluationKey, listForecasts, readEvaluation, readExplanation, readForecast, ResultFileError, saveEvaluation, saveExplanation, saveForecast,
} from '../../src/pipeline/results-store.js';

/** Four symbols over 12 trading days, horizon 2, a forecast that leans the right way; the last step is unknown. */
function table(): PredictionTable {
  const symbols = ['A', 'B', 'C', 'D'];
  const days = 12;
  const t: PredictionTable = { quantiles: [0.3, 0.5, 0.7], horizon: 2, symbols: [], timestamps: new Float64Array(days * 4), currentY: new Float64Array(days * 4), y: new Float64Array(days * 8), pred: new Float64Array(days * 24) };
  const price = (s: number, d: number) => 100 + s * 10 + Math.sin(d * (s + 1)) * 3;
  for (let d = 0; d < days; d++) {
    for (let s = 0; s < 4; s++) {
      const r = d * 4 + s;
      t.symbols.push(symbols[s]!);
      t.timestamps[r] = Date.UTC(2024, 0, 2 + d, 5);
      t.currentY[r] = price(s, d);
      for (let h = 0; h < 2; h++) {
        t.y[r * 2 + h] = d + h + 1 < days ? price(s, d + h + 1) : NaN;
        const mid = price(s, d + h + 1) * 0.7 + price(s, d) * 0.3;
        [mid - 1, mid, mid + 1].forEach((v, q) => (t.pred[(r * 2 + h) * 3 + q] = v));
      }
    }
  }
  return t;
}

test('evaluation, forecast and explanation round-trip through the model store; NaN becomes null', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-results-'));
  try {
    const models = new LocalObjectStore(dir);
    const t = table();
    const e = evaluatePredictions('m1', t, baseParams(undefined, { numStocksPurchased: 2 }), { intervalDays: [1, 2], numStocksPurchased: [1, 2], uncertaintyMultiplier: [0.1] });
    assert.equal(await readEvaluation(models, 'm1'), null, 'nothing stored yet');
    assert.equal(await saveEvaluation(models, e, t), 'm1/output/evaluation.json');
    const back = (await readEvaluation(models, 'm1'))!;
    assert.equal(back.runs.length, 4);
    assert.equal(back.best, e.grid.best);
    assert.deepEqual(back.runs[1]!.equity.values, e.grid.runs[1]!.result.equity);
    assert.equal(back.runs[1]!.equity.times[0], new Date(e.grid.runs[1]!.result.times[0]!).toISOString());
    assert.equal(back.forecastQuality.quantileLoss, e.quality.quantileLoss);
    assert.equal(back.forecastQuality.rankIc.mean, e.quality.rankIc.mean);
    assert.equal(back.testRange.decisions, 12);
    assert.equal(back.testRange.symbols, 4);
    // symmetric quantiles: the naive forecast's quantile loss is its MAE
    assert.ok(Math.abs(back.forecastQuality.naiveQuantileLoss! - e.quality.naiveMae) < 1e-9);
    assert.equal(back.benchmarks[0]!.equity.values.length, back.runs[back.best]!.equity.times.length);

    const meta = { dataset: { target: 'open', targetColumn: 'open' } } as unknown as ArtifactMeta;
    const rows = [44, 45, 46, 47];
    const latest: PredictionTable = { ...t, symbols: rows.map((r) => t.symbols[r]!), currentY: Float64Array.from(rows, (r) => t.currentY[r]!), pred: Float64Array.from(rows.flatMap((r) => Array.from(t.pred.subarray(r * 6, r * 6 + 6)))) };
    latest.pred[0] = NaN;
    await saveForecast(models, { modelId: 'm1', asOf: '2024-12-31', table: latest, meta, params: e.base, picks: [{ row: 2, symbol: 'C', score: 0.5, predictedChangePct: 1.25 }] });
    await saveForecast(models, { modelId: 'm1', asOf: '2024-12-27', table: latest, meta, params: e.base, picks: [] });
    await models.put('m1/output/forecasts/notes.txt', 'not a forecast');
    assert.deepEqual(await listForecasts(models, 'm1'), ['2024-12-27', '2024-12-31']);
    const f = (await readForecast(models, 'm1', '2024-12-31'))!;
    assert.deepEqual(f.dates, ['2025-01-02', '2025-01-03'], 'the next trading days after New Year');
    assert.equal(f.symbols[0]!.forecast[0]![0], null, 'NaN is stored as null');
    assert.deepEqual(f.symbols[3]!.forecast[1], Array.from(latest.pred.subarray(21, 24)));
    assert.deepEqual(f.buyList.picks, [{ symbol: 'C', current: latest.currentY[2], predictedChangePct: 1.25, score: 0.5 }]);

    await saveExplanation(models, 'm1', 'val', { encoderImportance: { open: 0.75, day_of_week: 0.25 }, decoderImportance: { day_of_week: 1 }, staticImportance: {}, attention: [{ position: -1, weight: 1 }], windows: 10 });
    assert.equal((await readExplanation(models, 'm1', 'val'))!.encoderImportance.open, 0.75);
    assert.equal(await readExplanation(models, 'm1', 'test'), null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a broken result file is an error naming the file and what is wrong', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-results-'));
  try {
    const models = new LocalObjectStore(dir);
    await models.put(evaluationKey('m1'), '{"format": "stockcast-evaluation/1", "runs": [');
    await assert.rejects(readEvaluation(models, 'm1'), (err: unknown) => {
      assert.ok(err instanceof ResultFileError);
      assert.equal(err.file, `${models.location}/m1/output/evaluation.json`);
      assert.match(err.message, /evaluation\.json: not valid JSON/);
      return true;
    });
    await models.put(evaluationKey('m2'), JSON.stringify({ format: 'stockcast-evaluation/1', modelId: 'm2' }));
    await assert.rejects(readEvaluation(models, 'm2'), /m2\/output\/evaluation\.json: not a stockcast result of the expected shape: createdAt: .*expected string/);
    await models.put('m3/output/explanation-val.json', JSON.stringify({ format: 'stockcast-forecast/1' }));
    await assert.rejects(readExplanation(models, 'm3', 'val'), /explanation-val\.json: not a stockcast result of the expected shape: format: /);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
