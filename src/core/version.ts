import { createRequire } from 'node:module';

/** The running stockcast version (from package.json), recorded in every artifact. */
export const STOCKCAST_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
