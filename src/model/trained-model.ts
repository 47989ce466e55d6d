/**
 * A trained model as one object: its artifact's metadata, its fitted dataset and its weights behind an
 * inference engine. Everything above the model (pipeline, CLI) forecasts and explains through it and never
 * sees a tensor. Batches are built here from the dataset; the engine only runs forward passes on them.
 */
import type { ObjectStore } from '../store/object-store.js';
import type { ModelConfig } from '../config/seed-config.js';
import { TimeSeriesDataset, type PreparedData, type ScheduledValues, type WindowIndex } from '../dataset/time-series-dataset.js';
import type { TftBatch } from '../dataset/tft-batch.js';
import { loadArtifact, trainedConfig, type ArtifactMeta, type ModelArtifact } from './artifact.js';
import type { EngineFactory, InferenceEngine } from './inference-engine.js';
import { TfjsEngine } from './tfjs-engine.js';

export type { EngineFactory } from './inference-engine.js';

/** Forecasts of a set of windows in target units, batch-major: pred[(w·Td + h)·nQ + q]. */
export interface WindowForecasts {
  pred: Float32Array;
  /** [windows × Td] realised targets (NaN where not known yet). */
  actual: Float32Array;
  /** [windows] the target at decision time (the last encoder step). */
  current: Float32Array;
  /** [windows] time_idx of the decision. */
  decisionIdx: Int32Array;
  /** [windows] series (symbol) index. */
  series: Int32Array;
  /**
   * The target column's prices: [windows] at decision time and [windows × Td] realised (NaN where not known yet).
   * For a price target the same values as `current` and `actual`; for a log-return target what they cumulate.
   */
  price: { current: Float32Array; actual: Float32Array };
}

/** What the model attends to, averaged over a set of windows (pytorch-forecasting's interpret_output). */
export interface Interpretation {
  encoderImportance: Record<string, number>;
  decoderImportance: Record<string, number>;
  staticImportance: Record<string, number>;
  /** Mean attention of the decoder steps over positions −Te … −1 (encoder) and 0 … Td−1 (decoder). */
  attention: Array<{ position: number; weight: number }>;
  windows: number;
}

/** How a trained model runs: the engine that does its forward passes (default: TensorFlow.js on this thread; see inference-engines.ts). */
export interface TrainedModelOptions {
  engine?: EngineFactory;
}

/** Windows per batch handed to the engine (the protocol's batch; engines split it further for memory or threads). */
const CHUNK = 2048;

/** A trained TFT with its dataset state: forecasts and explanations in target units, from plain arrays. */
export class TrainedModel {
  private cachedConfig?: ModelConfig;

  private constructor(
    readonly meta: ArtifactMeta,
    readonly dataset: TimeSeriesDataset,
    private readonly engine: InferenceEngine,
  ) {}

  /** Loads the artifact of `modelId` from the store (a missing one names the model and where it was looked for). */
  static async load(store: ObjectStore, modelId: string, options: TrainedModelOptions = {}): Promise<TrainedModel> {
    return TrainedModel.fromArtifact(await loadArtifact(store, modelId), options);
  }

  /** A model from an artifact in memory: one just loaded, or the metadata and best weights of a run just trained. */
  static fromArtifact(artifact: ModelArtifact, options: TrainedModelOptions = {}): TrainedModel {
    const { meta, weights } = artifact;
    const dataset = TimeSeriesDataset.fromState(meta.dataset);
    const engine = (options.engine ?? TfjsEngine.create)({ spec: dataset.spec(), hyperparameters: meta.hyperparameters, weights, manifest: meta.manifest });
    return new TrainedModel(meta, dataset, engine);
  }

  /** Cores the engine's forward passes run on. */
  get threads(): number {
    return this.engine.threads;
  }

  /** The model's id. */
  get modelId(): string {
    return this.meta.modelId;
  }

  /** The config the model was trained with, validated (a ConfigError names the artifact and the key). */
  config(): ModelConfig {
    return (this.cachedConfig ??= trainedConfig(this.meta));
  }

  /** The feature-store columns its data needs: the features and the target's own column. */
  inputColumns(): string[] {
    const st = this.dataset.state;
    return [...new Set([...st.features, st.targetColumn])];
  }

  /** Forecasts every window (no dropout), in chunks; `onProgress(done, total)` after each. */
  async forecastWindows(data: PreparedData, windows: WindowIndex, o: { chunk?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<WindowForecasts> {
    const chunk = o.chunk ?? CHUNK;
    const n = windows.length;
    const out = allocateForecasts(n, this.dataset.state.decoderLength, this.dataset.state.quantiles.length);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    for (let from = 0; from < n; from += chunk) {
      const to = Math.min(from + chunk, n);
      const batch = this.dataset.buildBatch(data, windows, order, from, to);
      this.store(out, from, batch, data, await this.engine.predict(batch));
      o.onProgress?.(to, n);
    }
    return out;
  }

  /**
   * Forecasts from the latest window of every series whose data reaches `asOfIdx` (default: the last time_idx),
   * with the decoder on `futureTimes` (one per horizon step) and the scheduled inputs' future values
   * (`scheduled`, needed when the model has any: see TimeSeriesDataset.scheduledInputs). Realised targets are NaN.
   */
  async forecastLatest(data: PreparedData, futureTimes: number[], o: { asOfIdx?: number; scheduled?: ScheduledValues } = {}): Promise<WindowForecasts> {
    const { batch } = this.dataset.latestBatch(data, futureTimes, o);
    const st = this.dataset.state;
    const out = allocateForecasts(batch.size, st.decoderLength, st.quantiles.length);
    if (batch.size > 0) this.store(out, 0, batch, data, await this.engine.predict(batch));
    return out;
  }

  /** Aggregates variable-selection weights and attention over (at most `maxWindows`, evenly spread) windows. */
  async interpret(data: PreparedData, windows: WindowIndex, o: { chunk?: number; maxWindows?: number } = {}): Promise<Interpretation> {
    const chunk = o.chunk ?? CHUNK;
    const n = Math.min(windows.length, o.maxWindows ?? 20_000);
    if (n === 0) throw new Error('no windows to explain the model on');
    const { encoderLength: Te, decoderLength: Td } = this.dataset.state;
    const enc = new Float64Array(this.engine.encoderVariables.length);
    const dec = new Float64Array(this.engine.decoderVariables.length);
    const att = new Float64Array(Te + Td);
    // an even spread over the windows, so a capped sample still covers every symbol and date
    const order = Int32Array.from({ length: n }, (_, i) => Math.floor((i * windows.length) / n));
    for (let from = 0; from < n; from += chunk) {
      const e = await this.engine.explain(this.dataset.buildBatch(data, windows, order, from, Math.min(from + chunk, n)));
      e.encoder.forEach((v, i) => (enc[i] = enc[i]! + v / Te));
      e.decoder.forEach((v, i) => (dec[i] = dec[i]! + v / Td));
      for (const a of e.attention) a.forEach((v, i) => (att[i] = att[i]! + v / Td));
    }
    const mean = (xs: Float64Array, names: string[]) => Object.fromEntries(names.map((nm, i) => [nm, xs[i]! / n]));
    return {
      encoderImportance: mean(enc, this.engine.encoderVariables),
      decoderImportance: mean(dec, this.engine.decoderVariables),
      staticImportance: {},
      attention: Array.from(att, (w, i) => ({ position: i - Te, weight: w / n })),
      windows: n,
    };
  }

  /** Quantile forecasts of one batch built from this model's dataset, in target units, batch-major (benchmarks time the forward pass alone with it). */
  predictBatch(batch: TftBatch): Promise<Float32Array> {
    return this.engine.predict(batch);
  }

  /** Frees the weights. The model cannot forecast afterwards. */
  dispose(): void {
    this.engine.dispose();
  }

  /** Copies a batch's forecasts and what is known of its windows into `out` from window `at` on. */
  private store(out: WindowForecasts, at: number, batch: TftBatch, data: PreparedData, pred: Float32Array): void {
    const { decoderLength: Td, quantiles } = this.dataset.state;
    out.pred.set(pred, at * Td * quantiles.length);
    out.actual.set(batch.targetRaw, at * Td);
    for (let b = 0; b < batch.size; b++) {
      const s = batch.seriesIndex[b]!;
      const decision = batch.decoderStartIdx[b]! - 1;
      // the decision row: the last encoder step, found from the series' first time_idx
      const row = data.seriesOffset[s]! + decision - data.seriesFirstIdx[s]!;
      out.current[at + b] = data.target[row]!;
      out.price.current[at + b] = data.price[row]!;
      for (let t = 0; t < Td; t++) {
        // a decoder step is known exactly where its target is (the latest batch's future steps are not)
        out.price.actual[(at + b) * Td + t] = Number.isNaN(batch.targetRaw[b * Td + t]!) ? NaN : data.price[row + 1 + t]!;
      }
      out.decisionIdx[at + b] = decision;
      out.series[at + b] = s;
    }
  }
}

function allocateForecasts(n: number, Td: number, nQ: number): WindowForecasts {
  return {
    pred: new Float32Array(n * Td * nQ),
    actual: new Float32Array(n * Td),
    current: new Float32Array(n),
    decisionIdx: new Int32Array(n),
    series: new Int32Array(n),
    price: { current: new Float32Array(n), actual: new Float32Array(n * Td) },
  };
}
