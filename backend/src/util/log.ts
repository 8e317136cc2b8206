import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stdout; the level comes from `log.level`. */
export function createLogger(level: string = process.env.SHIPWATCH_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { app: 'shipwatch' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

/** A logger that writes nothing, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
