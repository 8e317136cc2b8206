#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { Collector, SHIPPED_RULES } from './collector.js';
import { rulesCommand } from './rules-cli.js';
import { ConfigError, loadConfig } from './config/load.js';
import { createLogger } from './util/log.js';
import { VERSION } from './util/version.js';

const USAGE = `usage: shipwatch [--config FILE] [--set section.key=value ...]
       shipwatch rules test <events.jsonl> [--rules DIR] [--trace] [--json]
       shipwatch --version

Runs the Shipwatch collector. Every config key can also be set by an environment variable
SHIPWATCH_<SECTION>_<KEY> (for example SHIPWATCH_API_LISTEN=0.0.0.0:7475); flags win over the
environment, which wins over the file.`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'rules') return rulesCommand(argv.slice(1), SHIPPED_RULES);
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        set: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
      allowPositionals: false,
    }).values;
  } catch (err) {
    process.stderr.write(`shipwatch: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  let cfg;
  try {
    cfg = loadConfig({ file: args.config ?? process.env.SHIPWATCH_CONFIG, flags: args.set ?? [] });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`shipwatch: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const log = createLogger(cfg.log.level);
  let collector: Collector;
  try {
    collector = await Collector.start(cfg, log);
  } catch (err) {
    log.fatal({ reason: (err as Error).message }, 'shipwatch could not start');
    return 1;
  }
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      log.info({ signal }, 'shutting down');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  await collector.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`shipwatch: unexpected failure: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
