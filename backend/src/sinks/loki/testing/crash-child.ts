// Child process of the crash test: queues entries, starts pushing, and waits to be killed -9.
// argv: <db file> <loki url> <entries> <batch_max_bytes>
import { commitMany, logEvent, makeSink, openDb } from './fixtures.js';

const [file, url, count, batchMax] = process.argv.slice(2);
const db = openDb(file!);
const sink = makeSink(db, { url, batch_max_bytes: Number(batchMax), timeout_ms: 60_000, batch_wait_ms: 0 });
commitMany(db, sink, Array.from({ length: Number(count) }, (_, i) => logEvent(i, { container: `c${i % 3}` })));
sink.start();
process.send?.('started');
setInterval(() => {}, 1000);
