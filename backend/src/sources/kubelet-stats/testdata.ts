// A kubelet /stats/summary document of the shape kubelet 1.28 serves (trimmed to two pods), and a
// loopback kubelet that serves it over HTTP or HTTPS, for the tests of this source and of node mode.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const WEB_UID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
export const DNS_UID = '9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d';

/** The summary at `t` seconds after the first sample: CPU and network counters grow with it. */
export function summary(t = 0, o: { webCpuCores?: number } = {}): Record<string, unknown> {
  const time = new Date(Date.UTC(2024, 4, 1, 10, 0, 0) + t * 1000).toISOString();
  const cores = o.webCpuCores ?? 0.5;
  return {
    node: {
      nodeName: 'node-1',
      startTime: '2024-04-30T08:00:00Z',
      cpu: { time, usageNanoCores: 350000000, usageCoreNanoSeconds: 123456789000000 },
      memory: { time, availableBytes: 6000000000, usageBytes: 3000000000, workingSetBytes: 2000000000, rssBytes: 1500000000, pageFaults: 1, majorPageFaults: 0 },
      network: { time, name: 'eth0', rxBytes: 1e9, rxErrors: 0, txBytes: 5e8, txErrors: 0 },
    },
    pods: [
      {
        podRef: { name: 'web-7d9f8c6b5-x2x4q', namespace: 'shop', uid: WEB_UID },
        startTime: '2024-05-01T09:00:00Z',
        containers: [
          {
            name: 'nginx',
            startTime: '2024-05-01T09:00:01Z',
            cpu: { time, usageNanoCores: cores * 1e9, usageCoreNanoSeconds: 60e9 + Math.round(cores * 1e9 * t) },
            memory: { time, availableBytes: 200 * 1024 * 1024, usageBytes: 90 * 1024 * 1024, workingSetBytes: 56 * 1024 * 1024, rssBytes: 40 * 1024 * 1024, pageFaults: 100, majorPageFaults: 0 },
            rootfs: { time, availableBytes: 1e10, capacityBytes: 2e10, usedBytes: 40960, inodesFree: 1e6, inodes: 2e6, inodesUsed: 12 },
            logs: { time, availableBytes: 1e10, capacityBytes: 2e10, usedBytes: 20480, inodesFree: 1e6, inodes: 2e6, inodesUsed: 2 },
          },
          {
            name: 'sidecar',
            startTime: '2024-05-01T09:00:01Z',
            cpu: { time, usageNanoCores: 1000000, usageCoreNanoSeconds: 1e9 + 1e6 * t },
            memory: { time, usageBytes: 8 * 1024 * 1024, workingSetBytes: 6 * 1024 * 1024, rssBytes: 4 * 1024 * 1024, pageFaults: 10, majorPageFaults: 0 },
          },
          // just started: no CPU sample yet
          { name: 'init-wait', startTime: '2024-05-01T09:59:59Z', memory: {} },
        ],
        cpu: { time, usageNanoCores: cores * 1e9 + 1e6, usageCoreNanoSeconds: 61e9 + Math.round(cores * 1e9 * t) + 1e6 * t },
        memory: { time, usageBytes: 98 * 1024 * 1024, workingSetBytes: 62 * 1024 * 1024, rssBytes: 44 * 1024 * 1024 },
        network: {
          time, name: 'eth0', rxBytes: 1_000_000 + 2000 * t, rxErrors: 0, txBytes: 500_000 + 1000 * t, txErrors: 0,
          interfaces: [{ name: 'eth0', rxBytes: 1_000_000 + 2000 * t, rxErrors: 0, txBytes: 500_000 + 1000 * t, txErrors: 0 }],
        },
        volume: [{ time, availableBytes: 1e9, capacityBytes: 1e9, usedBytes: 12288, name: 'kube-api-access-abcde' }],
        'ephemeral-storage': { time, availableBytes: 1e10, capacityBytes: 2e10, usedBytes: 61440 },
        process_stats: { process_count: 5 },
      },
      {
        podRef: { name: 'coredns-5d78c9869d-abcde', namespace: 'kube-system', uid: DNS_UID },
        startTime: '2024-04-30T08:01:00Z',
        containers: [
          {
            name: 'coredns',
            startTime: '2024-04-30T08:01:02Z',
            cpu: { time, usageNanoCores: 2500000, usageCoreNanoSeconds: 300e9 + 2.5e6 * t },
            memory: { time, availableBytes: 150 * 1024 * 1024, usageBytes: 30 * 1024 * 1024, workingSetBytes: 20 * 1024 * 1024, rssBytes: 15 * 1024 * 1024 },
          },
        ],
        network: { time, name: 'eth0', rxBytes: 5e7, rxErrors: 0, txBytes: 4e7, txErrors: 0, interfaces: [{ name: 'eth0', rxBytes: 5e7, rxErrors: 0, txBytes: 4e7, txErrors: 0 }] },
      },
    ],
  };
}

export interface FakeKubelet {
  url: string;
  /** Authorization headers received, in order. */
  auth: (string | undefined)[];
  /** What the next requests get: a document (JSON-encoded), raw text, or a status code. */
  answer: (a: { doc?: unknown; text?: string; status?: number }) => void;
  caFile: string;
  close: () => Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 / localhost, made with the openssl CLI. */
export function selfSigned(dir: string): { cert: string; key: string; caFile: string } {
  const key = path.join(dir, 'kubelet.key');
  const cert = path.join(dir, 'kubelet.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=node-1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { cert: fs.readFileSync(cert, 'utf8'), key: fs.readFileSync(key, 'utf8'), caFile: cert };
}

/** A loopback kubelet serving /stats/summary (HTTPS with a self-signed certificate, or HTTP). */
export async function fakeKubelet(o: { tls: boolean; t0?: number }): Promise<FakeKubelet> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-kubelet-'));
  let t = o.t0 ?? 0;
  let next: { doc?: unknown; text?: string; status?: number } | undefined;
  const auth: (string | undefined)[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    auth.push(req.headers.authorization);
    if (req.url !== '/stats/summary') {
      res.writeHead(404).end('404 page not found');
      return;
    }
    if (next?.status) {
      res.writeHead(next.status, { 'Content-Type': 'text/plain' }).end(`status ${next.status}`);
      return;
    }
    const body = next?.text ?? JSON.stringify(next?.doc ?? summary(t));
    t += 10;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
  };
  let caFile = '';
  let server: http.Server;
  if (o.tls) {
    const c = selfSigned(dir);
    caFile = c.caFile;
    server = https.createServer({ cert: c.cert, key: c.key }, handler);
  } else {
    server = http.createServer(handler);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}/stats/summary`,
    auth,
    answer: (a) => (next = a),
    caFile,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
