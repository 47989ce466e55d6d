#!/usr/bin/env node
import { createProgram } from './program.js';
import { formatCliError } from './errors.js';
import { installOutputRedaction } from './output.js';

installOutputRedaction();
createProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`${formatCliError(err)}\n`);
    process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
  });
