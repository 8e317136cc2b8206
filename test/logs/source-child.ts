// The log source in a process of its own, so that a test can SIGKILL it mid-stream:
//   node --import tsx test/logs/source-child.ts <docker host> <store dir> [logs config JSON]
// Prints one JSON line {lines, followers} every 100 ms; SIGTERM stops it cleanly.
import { openSource } from './harness.js';

const [host, dir, cfg] = process.argv.slice(2);
const s = openSource(host!, { dir: dir!, cfg: cfg ? JSON.parse(cfg) : {} });
const timer = setInterval(() => {
  const st = s.source.status();
  process.stdout.write(`${JSON.stringify({ lines: st.lines, followers: st.followers, connected: st.connected, stored: s.store.counts().events })}\n`);
}, 100);
process.on('SIGTERM', () => {
  clearInterval(timer);
  void s.stop().then(() => process.exit(0));
});
