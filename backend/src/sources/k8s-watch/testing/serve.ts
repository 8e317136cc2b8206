// Runs the fake API server in a process of its own, seeded with N realistic pods, so that a
// benchmark measures the collector's memory and not the fake's. Prints one JSON line
// {url, kubeconfig, pods, bytes} once ready; exits when its stdin closes.
//   node --import tsx serve.ts <pods> <dir>
import { FakeApiServer } from './fake-apiserver.js';
import { makePod } from './objects.js';

const n = Number(process.argv[2] ?? 10_000);
const dir = process.argv[3] ?? '.';
const fake = await FakeApiServer.start();
let bytes = 0;
for (let i = 0; i < n; i += 1) {
  const app = `svc${i % 400}`;
  const pod = makePod(`${app}-7d9f8c6b5d-${i.toString(36).padStart(5, '0')}`, { namespace: `team-${i % 40}`, node: `node-${i % 100}` });
  bytes += JSON.stringify(pod).length;
  fake.add('pods', pod, { silent: true });
}
process.stdout.write(`${JSON.stringify({ url: fake.url, kubeconfig: fake.writeKubeconfig(dir), pods: n, bytes })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void fake.close().then(() => process.exit(0)));
process.stdin.on('close', () => void fake.close().then(() => process.exit(0)));
