import { DuckDBInstance } from '@duckdb/node-api';
const path = process.argv[3] || '/tmp/ts-meas/l.duckdb';
const opts = JSON.parse(process.argv[2] || '{}');
const t = { create: [], connect: [], q: [], close: [] };
for (let n = 0; n < 20; n++) {
  let t0 = performance.now();
  const i = await DuckDBInstance.create(path, opts); t.create.push(performance.now() - t0); t0 = performance.now();
  const c = await i.connect(); t.connect.push(performance.now() - t0); t0 = performance.now();
  if (path !== ':memory:') await c.run('INSERT OR REPLACE INTO runs VALUES ($1, $2, $3)', ['x', 't' + n, '{}']); else await c.run('select 1'); t.q.push(performance.now() - t0); t0 = performance.now();
  c.closeSync(); i.closeSync(); t.close.push(performance.now() - t0);
}
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1].toFixed(1);
console.log(path, JSON.stringify(opts), Object.fromEntries(Object.entries(t).map(([k, v]) => [k, med(v)])));
