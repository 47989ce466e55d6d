import { barChart } from './svg.js';

/** What the explanation report shows (model/interpret's Interpretation has this shape). */
export interface ExplanationFigures {
  encoderImportance: Record<string, number>;
  decoderImportance: Record<string, number>;
  attention: Array<{ position: number; weight: number }>;
  windows: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Entries largest first. */
export function byWeight(rec: Record<string, number>): Array<[string, number]> {
  return Object.entries(rec).sort((a, b) => b[1] - a[1]);
}

/** A self-contained HTML page: variable importances of encoder and decoder, and attention by position. */
export function explanationHtml(modelId: string, split: string, r: ExplanationFigures): string {
  const enc = byWeight(r.encoderImportance);
  const dec = byWeight(r.decoderImportance);
  const charts = [
    barChart({ title: `encoder variable importance (${split} split, ${r.windows} windows)`, labels: enc.map((e) => e[0]), values: enc.map((e) => e[1]), percent: true }),
    barChart({ title: 'decoder variable importance', labels: dec.map((e) => e[0]), values: dec.map((e) => e[1]), percent: true }),
    barChart({ title: 'attention by position (negative = days before the forecast)', labels: r.attention.map((a) => String(a.position)), values: r.attention.map((a) => a.weight), percent: true }),
  ];
  const id = esc(modelId);
  return `<!doctype html><html><head><meta charset="utf-8"><title>stockcast explain — ${id}</title></head><body style="font-family:system-ui,sans-serif;max-width:960px;margin:2em auto"><h1>What ${id} looks at</h1>${charts.join('\n')}<p>static variables: none (the seed's configs use none)</p></body></html>`;
}
