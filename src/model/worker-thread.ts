import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on a module of this folder (`name` without extension): the compiled .js, or, when
 * stockcast runs from its TypeScript sources under tsx (tests), the .ts through tsx's loader, which Node 20
 * does not hand on to worker threads.
 */
export function startModuleWorker(name: string, workerData: unknown): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return new Worker(url, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`, { eval: true, workerData });
}
