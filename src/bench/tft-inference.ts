import * as tf from '@tensorflow/tfjs';
import type { ObjectStore } from '../store/object-store.js';
import type { TftBatch } from '../dataset/tft-batch.js';
import { TimeSeriesDataset, type PreparedData, type WindowIndex } from '../dataset/time-series-dataset.js';
import { TemporalFusionTransformer, type TftHyperparameters } from '../model/tft.js';
import { loadArtifact, saveArtifact, type ArtifactMeta } from '../model/artifact.js';
import { forecastWindows } from '../model/predict.js';
import { targetColumns, toModelInputs } from '../model/model-inputs.js';
import { denormalize } from '../model/quantile-loss.js';
import { sliceBatch } from '../model/train-step.js';
import { STOCKCAST_VERSION } from '../core/version.js';
import type { WideFrame } from '../core/wide-frame.js';
import { median, round, secondsSince } from './bench-stats.js';
import { CHUNK } from './tft-training.js';
import { PROTOCOL } from './tft-protocol.js';

/** A model as `predict` gets it: loaded from its artifact, with the dataset state stored beside the weights. */
export interface LoadedModel {
  model: TemporalFusionTransformer;
  dataset: TimeSeriesDataset;
  data: PreparedData;
  /** Artifact download/unpack plus preparing the frame with the loaded dataset state. */
  loadSeconds: number;
}

/** Saves a model as a stockcast artifact (what `train` publishes), so inference is timed on a freshly loaded one. */
export async function saveBenchArtifact(store: ObjectStore, modelId: string, model: TemporalFusionTransformer, hp: TftHyperparameters, dataset: TimeSeriesDataset, backend: string): Promise<void> {
  const meta: ArtifactMeta = {
    format: 'stockcast-tft/1',
    modelId,
    hyperparameters: hp,
    dataset: dataset.state,
    manifest: model.params.manifest(),
    training: {
      config: { id: modelId, benchmark: 'REFERENCE.md throughput' },
      dataRange: { first: dataset.state.trainStart, last: dataset.state.valEnd, symbols: 0 },
      epochs: 0,
      bestEpoch: -1,
      bestValLoss: Number.NaN,
      naiveValLoss: Number.NaN,
      stoppedBy: 'benchmark',
      history: [],
      backend,
      stockcastVersion: STOCKCAST_VERSION,
      createdAt: new Date().toISOString(),
      seed: PROTOCOL.seed,
    },
  };
  await saveArtifact(store, meta, model.params.flatten());
}

/** Loads an artifact anew and prepares the frame with its dataset state. */
export async function loadForPredict(store: ObjectStore, modelId: string, frame: WideFrame): Promise<LoadedModel> {
  const t0 = performance.now();
  const { meta, weights } = await loadArtifact(store, modelId);
  const dataset = TimeSeriesDataset.fromState(meta.dataset);
  const data = dataset.prepare(frame);
  const model = new TemporalFusionTransformer(dataset.spec(), meta.hyperparameters, 0);
  model.params.load(weights, meta.manifest);
  return { model, dataset, data, loadSeconds: secondsSince(t0) };
}

/** Inference over windows as `predict` runs it (batch building included), repeated on freshly loaded models. */
export interface InferenceFigures {
  samples: number;
  /** Median over the runs. */
  inferSps: number;
  runsSps: number[];
  loadSecondsMedian: number;
  /** Cores the predict path uses today. */
  threads: number;
}

/** Times `forecastWindows` over the windows `repeats` times, each on a model loaded anew from the artifact. */
export async function timeInference(store: ObjectStore, modelId: string, frame: WideFrame, windows: WindowIndex, repeats: number, label: string): Promise<InferenceFigures> {
  const rates: number[] = [];
  const loads: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const m = await loadForPredict(store, modelId, frame);
    loads.push(m.loadSeconds);
    const t0 = performance.now();
    forecastWindows(m.model, m.dataset, m.data, windows, CHUNK);
    const s = secondsSince(t0);
    rates.push(windows.length / s);
    m.model.params.dispose();
    process.stderr.write(`${label}: predict ${windows.length} windows in ${s.toFixed(1)}s (run ${r + 1}/${repeats})\n`);
  }
  return { samples: windows.length, inferSps: Math.round(median(rates)), runsSps: rates.map(Math.round), loadSecondsMedian: round(median(loads)), threads: 1 };
}

/** The forward pass alone over prebuilt batches (no batch building, no gradients), as the harness's forward_sps. */
export interface ForwardFigures {
  samples: number;
  forwardSps: number;
  runsSps: number[];
  /** Building the validation batches beforehand (the harness's val_fetch_sps). */
  batchBuildSps: number;
}

/** Builds the validation batches of 2,048 once, then times forward passes (with the map back to dollars) over them. */
export function timeForward(m: LoadedModel, windows: WindowIndex, repeats: number, label: string): ForwardFigures {
  const B = PROTOCOL.batchSize;
  const order = Int32Array.from({ length: windows.length }, (_, i) => i);
  const t0 = performance.now();
  const batches: TftBatch[] = [];
  for (let from = 0; from < windows.length; from += B) batches.push(m.dataset.buildBatch(m.data, windows, order, from, Math.min(from + B, windows.length)));
  const buildSeconds = secondsSince(t0);
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t1 = performance.now();
    for (const batch of batches) forwardBatch(m.model, batch);
    const s = secondsSince(t1);
    rates.push(windows.length / s);
    process.stderr.write(`${label}: forward only ${windows.length} windows in ${s.toFixed(1)}s (run ${r + 1}/${repeats})\n`);
  }
  return { samples: windows.length, forwardSps: Math.round(median(rates)), runsSps: rates.map(Math.round), batchBuildSps: Math.round(windows.length / buildSeconds) };
}

/** One no-dropout forward pass over a batch in memory-sized chunks, predictions mapped back to target units. */
function forwardBatch(model: TemporalFusionTransformer, batch: TftBatch): void {
  const spec = model.spec;
  const T = spec.encoderLength + spec.decoderLength;
  for (let from = 0; from < batch.size; from += CHUNK) {
    const part = sliceBatch(batch, from, Math.min(from + CHUNK, batch.size), T);
    tf.tidy(() => {
      const target = targetColumns(part, spec.decoderLength);
      const out = model.forward(toModelInputs(part, spec), { training: false });
      denormalize(out.prediction, target.center, target.scale, spec.targetTransform).dataSync();
    });
  }
}
