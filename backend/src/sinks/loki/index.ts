/**
 * The Loki push sink (DESIGN.md §7).
 *
 *     const loki = new LokiSink(db, config.loki, { metrics, log, hostName: config.host.name });
 *     store.addHook(loki);        // onCommit runs inside the store's transaction
 *     loki.start();               // drain loop (no-op when loki.url is unset)
 *     ...
 *     await loki.stop();          // flushes for up to loki.flush_timeout_ms; the rest stays queued
 *     db.close();                 // after stop()
 *
 * `health()` is for `GET /api/v1/health` (`sinks.loki`).
 */
export { LokiSink, type LokiHealth, type LokiSinkDeps } from './sink.js';
export { lokiConfigSchema, parseLokiConfig, type LokiConfig, type LokiConfigInput } from './config.js';
