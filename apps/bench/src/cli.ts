#!/usr/bin/env node
/**
 * Entry of `pnpm bench` (`node dist/cli.js`): see {@link main} and `--help`.
 */
import { main } from './cli-program.js';

process.exitCode = await main(process.argv);
