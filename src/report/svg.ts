/** Tiny static SVG charts for the offline HTML report (no scripts, no external assets). */

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A line chart of one or more series sharing an x axis of epoch-ms times. */
export function lineChart(o: { title: string; times: number[]; series: Array<{ label: string; values: number[]; color: string }>; width?: number; height?: number; percent?: boolean }): string {
  const W = o.width ?? 720;
  const H = o.height ?? 260;
  const pad = { l: 60, r: 20, t: 30, b: 30 };
  const all = o.series.flatMap((s) => s.values.filter(Number.isFinite));
  if (all.length === 0 || o.times.length < 2) return `<p>${esc(o.title)}: no data</p>`;
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi === lo) hi = lo + 1;
  const x0 = o.times[0]!;
  const x1 = o.times[o.times.length - 1]!;
  const sx = (t: number) => pad.l + ((t - x0) / (x1 - x0 || 1)) * (W - pad.l - pad.r);
  const sy = (v: number) => pad.t + (1 - (v - lo) / (hi - lo)) * (H - pad.t - pad.b);
  const fmt = (v: number) => (o.percent ? `${(v * 100).toFixed(1)}%` : v.toLocaleString('en-US', { maximumFractionDigits: 2 }));
  const lines = o.series
    .map((s) => {
      const pts = s.values.map((v, i) => (Number.isFinite(v) ? `${sx(o.times[i]!).toFixed(1)},${sy(v).toFixed(1)}` : '')).filter(Boolean);
      return `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts.join(' ')}"/>`;
    })
    .join('');
  const legend = o.series.map((s, i) => `<text x="${pad.l + 10 + i * 200}" y="${pad.t - 10}" fill="${s.color}" font-size="12">${esc(s.label)}</text>`).join('');
  const d = (t: number) => new Date(t).toISOString().slice(0, 10);
  const axes = `<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#999"/><line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="#999"/>
<text x="${pad.l - 5}" y="${sy(hi) + 4}" font-size="11" text-anchor="end">${fmt(hi)}</text><text x="${pad.l - 5}" y="${sy(lo) + 4}" font-size="11" text-anchor="end">${fmt(lo)}</text>
<text x="${pad.l}" y="${H - 8}" font-size="11">${d(x0)}</text><text x="${W - pad.r}" y="${H - 8}" font-size="11" text-anchor="end">${d(x1)}</text>`;
  return `<figure><figcaption>${esc(o.title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${axes}${legend}${lines}</svg></figure>`;
}

/** A heatmap table-like grid: rows × columns of values, coloured from red (low) to green (high). */
export function heatmap(o: { title: string; rows: string[]; cols: string[]; values: number[][]; format: (v: number) => string }): string {
  const flat = o.values.flat().filter(Number.isFinite);
  const lo = Math.min(...flat);
  const hi = Math.max(...flat);
  const cw = 90;
  const ch = 28;
  const W = 160 + cw * o.cols.length;
  const H = 40 + ch * o.rows.length;
  const color = (v: number) => {
    const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    return `rgb(${Math.round(220 - 140 * t)},${Math.round(90 + 120 * t)},110)`;
  };
  const cells = o.rows
    .map((r, i) =>
      o.cols
        .map((c, j) => {
          const v = o.values[i]![j]!;
          return `<rect x="${160 + j * cw}" y="${30 + i * ch}" width="${cw - 2}" height="${ch - 2}" fill="${Number.isFinite(v) ? color(v) : '#ddd'}"/><text x="${160 + j * cw + cw / 2}" y="${30 + i * ch + 18}" font-size="12" text-anchor="middle">${Number.isFinite(v) ? esc(o.format(v)) : '–'}</text>`;
        })
        .join('') + `<text x="150" y="${30 + i * ch + 18}" font-size="12" text-anchor="end">${esc(r)}</text>`,
    )
    .join('');
  const head = o.cols.map((c, j) => `<text x="${160 + j * cw + cw / 2}" y="22" font-size="12" text-anchor="middle">${esc(c)}</text>`).join('');
  return `<figure><figcaption>${esc(o.title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${head}${cells}</svg></figure>`;
}

/** A horizontal bar chart of labelled values (e.g. variable importances as fractions). */
export function barChart(o: { title: string; labels: string[]; values: number[]; percent?: boolean }): string {
  const W = 720;
  const bh = 22;
  const H = 30 + bh * o.labels.length;
  const max = Math.max(...o.values.filter(Number.isFinite), 1e-12);
  const bars = o.labels
    .map((l, i) => {
      const v = o.values[i]!;
      const w = (Math.max(v, 0) / max) * (W - 260);
      return `<text x="170" y="${30 + i * bh + 15}" font-size="12" text-anchor="end">${esc(l)}</text><rect x="180" y="${30 + i * bh + 3}" width="${w.toFixed(1)}" height="${bh - 6}" fill="#1565c0"/><text x="${185 + w}" y="${30 + i * bh + 15}" font-size="11">${o.percent ? `${(v * 100).toFixed(1)}%` : v.toFixed(3)}</text>`;
    })
    .join('');
  return `<figure><figcaption>${esc(o.title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${bars}</svg></figure>`;
}
