import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startDockerd, TEST_IMAGE, type Dockerd } from '../support/dockerd.js';
import { duplicates, engineLines, keyOf, lineKey, openSource, storedLines, until, type RunningSource } from './harness.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'source-child.ts');
const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;

/** The source in a child process, to be killed with SIGKILL. */
function startChild(host: string, dir: string, cfg: object = {}): { proc: ChildProcess; stored: () => number; kill9: () => Promise<void> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, host, dir, JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stored = 0;
  let buf = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => {
    buf += c;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        stored = (JSON.parse(line) as { stored: number }).stored;
      } catch {
        // not a status line
      }
    }
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    proc,
    stored: () => stored,
    kill9: async () => {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

describe('container logs from a real dockerd', () => {
  let d: Dockerd;
  const open: RunningSource[] = [];
  const children: { kill9: () => Promise<void> }[] = [];
  const dirs = new Set<string>();
  const source = (opts: Parameters<typeof openSource>[1] = {}) => {
    const s = openSource(d.host, opts);
    open.push(s);
    dirs.add(s.dir);
    return s;
  };
  const stop = async (s: RunningSource) => {
    open.splice(open.indexOf(s), 1);
    await s.stop();
  };

  before(async () => {
    d = await startDockerd();
  });
  after(async () => {
    for (const c of children) await c.kill9();
    for (const s of open.splice(0)) await s.stop();
    await d?.destroy();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads stdout and stderr lines with their stream and Docker\'s nanosecond times', async () => {
    const s = source();
    await until(() => (s.source.status().connected ? true : undefined), 'the source connected');
    const id = await d.docker('run', '-d', '--name', 'streams', '--network', 'none', '--label', 'com.docker.compose.project=shop', '--label', 'com.docker.compose.service=web',
      TEST_IMAGE, 'sh', '-c', 'echo "out one"; echo "err one" >&2; echo \'{"level":"error","msg":"json line","status":500}\'; echo "err two" >&2; sleep 600');
    const lines = await until(() => {
      const l = storedLines(s.store, 'streams');
      return l.length >= 4 ? l : undefined;
    }, '4 lines stored');
    const truth = await engineLines(d, 'streams');
    assert.deepEqual(lines.map(keyOf).sort(), truth.map(lineKey).sort(), 'the same lines, streams and times as docker logs --timestamps');
    const byMsg = new Map(lines.map((l) => [l.log.message, l]));
    assert.equal(byMsg.get('out one')!.log.stream, 'stdout');
    assert.equal(byMsg.get('err one')!.log.stream, 'stderr');
    assert.equal(byMsg.get('err two')!.log.stream, 'stderr');
    const json = lines.find((l) => l.log.message.startsWith('{'))!;
    assert.equal(json.log.format, 'json', 'lines are decoded');
    assert.equal(json.log.level, 'error');
    for (const l of lines) {
      assert.equal(l.event.source, 'log');
      assert.match(l.event.time, RFC3339_NANO);
      assert.equal(l.container.id, id);
      assert.equal(l.container.name, 'streams');
      assert.equal(l.container.image, TEST_IMAGE);
      assert.deepEqual(l.container.compose, { project: 'shop', service: 'web' });
      assert.equal((l.host as { name: string }).name, 'test-host');
    }
    assert.ok(lines.some((l) => !l.event.time.endsWith('000Z')), 'times carry nanoseconds, not milliseconds');
    const st = s.source.status();
    assert.equal(st.containers.find((c) => c.name === 'streams')?.state, 'following');
    const metrics = await s.metrics.registry.metrics();
    assert.match(metrics, /shipwatch_log_lines_total\{container="streams"\} 4/);
    await d.docker('rm', '-f', 'streams');
    await stop(s);
  });

  it('delivers a 20,000-character line whole, and a TTY container\'s lines', async () => {
    const s = source();
    await until(() => (s.source.status().connected ? true : undefined), 'the source connected');
    // 20,480 characters by doubling, cut to 19,997 and closed with END: 20,000 in all.
    const script = 's=0123456789; for i in 1 2 3 4 5 6 7 8 9 10 11; do s=$s$s; done; echo before; echo "${s:0:19997}END"; echo after; sleep 600';
    await d.docker('run', '-d', '--name', 'long', '--network', 'none', TEST_IMAGE, 'sh', '-c', script);
    await d.docker('run', '-d', '-t', '--name', 'tty', '--network', 'none', TEST_IMAGE, 'sh', '-c', `echo "tty one"; echo "tty err" >&2; ${script}`);
    for (const name of ['long', 'tty']) {
      const lines = await until(() => {
        const l = storedLines(s.store, name);
        return l.some((x) => x.log.message === 'after') ? l : undefined;
      }, `${name}: the line after the long one`);
      const long = lines.find((l) => l.log.message.endsWith('END'))!;
      assert.equal(long.log.message.length, 20_000, `${name}: the long line is whole`);
      assert.ok(long.log.message.startsWith('0123456789012'));
      assert.equal(long.log.truncated, undefined);
      assert.equal(lines.filter((l) => l.log.message.includes('0123456789')).length, 1, `${name}: one line, not its partials`);
      if (name === 'tty') {
        assert.deepEqual(lines.map((l) => l.log.message.slice(0, 8)), ['tty one', 'tty err', 'before', '01234567', 'after']);
        assert.ok(lines.every((l) => l.log.stream === 'stdout' && !l.log.message.endsWith('\r')), 'a TTY has one stream, \\r\\n stripped');
        assert.equal(s.source.status().containers.find((c) => c.name === 'tty')?.tty, true);
      } else {
        assert.deepEqual(lines.map((l) => l.log.message.slice(0, 8)), ['before', '01234567', 'after']);
      }
    }
    await d.docker('rm', '-f', 'long', 'tty');
    await stop(s);
  });

  it('cuts lines at max_line_bytes and counts them', async () => {
    const s = source({ cfg: { max_line_bytes: '4KiB' } });
    await until(() => (s.source.status().connected ? true : undefined), 'the source connected');
    await d.docker('run', '-d', '--name', 'capped', '--network', 'none', TEST_IMAGE, 'sh', '-c',
      's=0123456789; for i in 1 2 3 4 5 6 7 8 9 10 11; do s=$s$s; done; echo "$s"; echo short; sleep 600');
    const lines = await until(() => {
      const l = storedLines(s.store, 'capped');
      return l.length >= 2 ? l : undefined;
    }, 'two lines');
    assert.equal(lines[0]!.log.message.length, 4096);
    assert.equal(lines[0]!.log.truncated, true);
    assert.equal(lines[1]!.log.message, 'short');
    assert.match(await s.metrics.registry.metrics(), /shipwatch_log_truncated_total\{container="capped"\} 1/);
    await d.docker('rm', '-f', 'capped');
    await stop(s);
  });

  it('a container logging 100 lines/s: every line stored once, in order, until it exits', async () => {
    const s = source();
    await until(() => (s.source.status().connected ? true : undefined), 'the source connected');
    await d.docker('run', '-d', '--name', 'ticker', '--network', 'none', TEST_IMAGE, 'sh', '-c',
      'i=0; while [ $i -lt 400 ]; do echo "tick $i"; i=$((i+1)); sleep 0.01; done');
    await until(async () => ((await d.docker('inspect', '-f', '{{.State.Running}}', 'ticker')) === 'false' ? true : undefined), 'ticker to exit', 60_000);
    const lines = await until(() => {
      const l = storedLines(s.store, 'ticker');
      return l.length >= 400 ? l : undefined;
    }, '400 lines');
    await new Promise((r) => setTimeout(r, 500));
    const again = storedLines(s.store, 'ticker');
    assert.equal(again.length, 400, 'nothing more after the end (the read-to-the-end pass skipped what it had)');
    assert.deepEqual(lines.map((l) => l.log.message), Array.from({ length: 400 }, (_, i) => `tick ${i}`));
    const truth = await engineLines(d, 'ticker');
    assert.deepEqual(lines.map(keyOf), truth.map(lineKey));
    const c = s.source.status();
    assert.ok(!c.containers.some((x) => x.name === 'ticker'), 'the follower ended with the container');
    await d.docker('rm', 'ticker');
    await stop(s);
  });

  it('killed while a container logs on both streams, then restarted: no line lost, none twice', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swlogs-kill-'));
    dirs.add(dir);
    const child = startChild(d.host, dir);
    children.push(child);
    // ~3,000 lines/s on two streams for ~5 s
    await until(() => (child.stored() >= 0 && child.proc.exitCode === null ? true : undefined), 'child running');
    await new Promise((r) => setTimeout(r, 1500));
    await d.docker('run', '-d', '--name', 'busy', '--network', 'none', TEST_IMAGE, 'sh', '-c',
      'i=0; while [ $i -lt 8000 ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); [ $((i % 100)) -eq 0 ] && sleep 0.05; done; echo "out done"');
    await until(() => (child.stored() >= 2000 ? true : undefined), 'the child stored 2,000 lines', 60_000);
    await child.kill9();
    const s = source({ dir });
    await until(async () => ((await d.docker('inspect', '-f', '{{.State.Running}}', 'busy')) === 'false' ? true : undefined), 'busy to exit', 120_000);
    const truth = (await engineLines(d, 'busy')).map(lineKey).sort();
    assert.equal(truth.length, 16_001);
    const stored = await until(() => {
      const l = storedLines(s.store, 'busy');
      return l.length >= truth.length ? l : undefined;
    }, `all ${truth.length} lines stored`, 120_000);
    await new Promise((r) => setTimeout(r, 500));
    const keys = storedLines(s.store, 'busy').map(keyOf);
    assert.deepEqual(duplicates(keys), [], 'no line stored twice');
    assert.deepEqual([...keys].sort(), truth, 'every line docker logs has');
    assert.ok(stored.length === truth.length);
    const st = s.source.status();
    assert.ok(st.duplicates_skipped >= 1, `the resume re-served lines that were skipped (${st.duplicates_skipped})`);
    await d.docker('rm', 'busy');
    await stop(s);
  });

  it('reads what containers logged while it was down: stopped ones and new ones that already exited', async () => {
    const s1 = source();
    await until(() => (s1.source.status().connected ? true : undefined), 'the source connected');
    await d.docker('run', '-d', '--name', 'stopper', '--network', 'none', TEST_IMAGE, 'sh', '-c',
      'trap \'echo "got TERM"; echo "bye" >&2; exit 0\' TERM; echo "before stop"; while true; do sleep 0.1; done');
    await until(() => (storedLines(s1.store, 'stopper').length >= 1 ? true : undefined), 'the first line');
    const dir = s1.dir;
    await stop(s1);

    await d.docker('stop', '-t', '5', 'stopper');
    await d.docker('run', '--name', 'quick', '--network', 'none', TEST_IMAGE, 'sh', '-c', 'echo "quick 1"; echo "quick 2" >&2; echo "quick 3"');
    await d.docker('create', '--name', 'never-started', '--network', 'none', TEST_IMAGE, 'echo', 'never');

    const s2 = source({ dir });
    const stopper = await until(() => {
      const l = storedLines(s2.store, 'stopper');
      return l.length >= 3 ? l : undefined;
    }, 'the lines of the stopped container');
    // stdout and stderr are stamped by two copiers: their relative order is not defined
    assert.deepEqual(stopper.map((l) => l.log.message).sort(), ['before stop', 'bye', 'got TERM']);
    assert.deepEqual(stopper.map(keyOf).sort(), (await engineLines(d, 'stopper')).map(lineKey).sort());
    const quick = await until(() => {
      const l = storedLines(s2.store, 'quick');
      return l.length >= 3 ? l : undefined;
    }, 'the lines of the container that came and went');
    assert.deepEqual(quick.map(keyOf).sort(), (await engineLines(d, 'quick')).map(lineKey).sort());
    await until(() => (s2.source.status().containers.length === 0 ? true : undefined), 'the readers of stopped containers ended');

    // Both are marked read to the end: a third start reads nothing again.
    await stop(s2);
    const s3 = source({ dir });
    await until(() => (s3.source.status().connected ? true : undefined), 'the source connected');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(storedLines(s3.store, 'stopper').length, 3);
    assert.equal(storedLines(s3.store, 'quick').length, 3);
    assert.equal(s3.source.status().lines, 0);

    // Restarted while followed: its new lines come, the old ones not again; removing it drops the position.
    const stopperId = await d.docker('inspect', '-f', '{{.Id}}', 'stopper');
    await d.docker('start', 'stopper');
    await until(() => (storedLines(s3.store, 'stopper').length >= 4 ? true : undefined), 'the line of the second run');
    assert.deepEqual(storedLines(s3.store, 'stopper').map((l) => l.log.message).sort(), ['before stop', 'before stop', 'bye', 'got TERM']);
    assert.ok(s3.store.position(`docker.logs.${stopperId}`));
    await d.docker('rm', '-f', 'stopper', 'quick', 'never-started');
    await until(() => (s3.store.position(`docker.logs.${stopperId}`) === undefined ? true : undefined), 'the position dropped on destroy');
    await stop(s3);
  });

  it('skips containers labelled shipwatch.logs=false and applies include/exclude', async () => {
    const s = source({ cfg: { exclude_names: ['skip-*'], exclude_images: ['*/excluded:*'], include_labels: ['team'] } });
    await until(() => (s.source.status().connected ? true : undefined), 'the source connected');
    await d.docker('tag', TEST_IMAGE, 'swtest/excluded:1');
    const run = (name: string, labels: string[], image = TEST_IMAGE) =>
      d.docker('run', '-d', '--name', name, '--network', 'none', ...labels.flatMap((l) => ['--label', l]), image, 'sh', '-c', `echo "hello from ${name}"; sleep 600`);
    await run('keep-1', ['team=web']);
    await run('skip-1', ['team=web']);
    await run('optout', ['team=web', 'shipwatch.logs=false']);
    await run('nolabel', []);
    await run('byimage', ['team=web'], 'swtest/excluded:1');
    await run('keep-2', ['team=db']);
    await until(() => (storedLines(s.store, 'keep-2').length === 1 ? true : undefined), 'keep-2 line');
    await until(() => (storedLines(s.store, 'keep-1').length === 1 ? true : undefined), 'keep-1 line');
    await new Promise((r) => setTimeout(r, 1000));
    const names = new Set(storedLines(s.store).map((l) => l.container.name));
    for (const n of ['skip-1', 'optout', 'nolabel', 'byimage']) assert.ok(!names.has(n), `${n} not followed`);
    assert.deepEqual(s.source.status().containers.map((c) => c.name).sort(), ['keep-1', 'keep-2']);
    await d.docker('rm', '-f', 'keep-1', 'skip-1', 'optout', 'nolabel', 'byimage', 'keep-2');
    await stop(s);
  });

  it('a container whose log driver cannot be read is reported; the others go on', async () => {
    const s = source();
    await until(() => (s.source.status().connected ? true : undefined), 'the source connected');
    await d.docker('run', '-d', '--name', 'nolog', '--log-driver', 'none', '--network', 'none', TEST_IMAGE, 'sh', '-c', 'echo lost; sleep 600');
    await d.docker('run', '-d', '--name', 'fine', '--network', 'none', TEST_IMAGE, 'sh', '-c', 'echo kept; sleep 600');
    await until(() => (storedLines(s.store, 'fine').length === 1 ? true : undefined), 'the other container\'s line');
    await until(() => (s.source.status().errors >= 1 ? true : undefined), 'the error counted');
    assert.match(String(s.source.status().last_error), /nolog: .*does not support reading/);
    assert.match(await s.metrics.registry.metrics(), /shipwatch_log_errors_total\{reason="unsupported_driver"\} 1/);
    await d.docker('rm', '-f', 'nolog', 'fine');
    await stop(s);
  });

  it('dockerd restarts under it: reconnects, reads the restarted container, nothing twice', async () => {
    const s = source();
    await until(() => (s.source.status().connected ? true : undefined), 'the source connected');
    await d.docker('run', '-d', '--name', 'phoenix', '--restart', 'always', '--network', 'none', TEST_IMAGE, 'sh', '-c',
      'i=0; while true; do echo "run line $i"; echo "err line $i" >&2; i=$((i+1)); sleep 0.05; done');
    await until(() => (storedLines(s.store, 'phoenix').length >= 20 ? true : undefined), 'lines before the restart');
    await d.stop();
    await d.start();
    await until(async () => ((await d.docker('inspect', '-f', '{{.State.Running}}', 'phoenix')) === 'true' ? true : undefined), 'phoenix back');
    const before = storedLines(s.store, 'phoenix').length;
    await until(() => (storedLines(s.store, 'phoenix').length >= before + 20 ? true : undefined), 'lines after the restart', 60_000);
    await d.docker('stop', '-t', '1', 'phoenix');
    const truth = (await engineLines(d, 'phoenix')).map(lineKey).sort();
    const keys = await until(() => {
      const k = storedLines(s.store, 'phoenix').map(keyOf);
      return k.length >= truth.length ? k : undefined;
    }, 'every line', 30_000);
    assert.deepEqual(duplicates(keys), []);
    assert.deepEqual([...keys].sort(), truth);
    await d.docker('rm', '-f', 'phoenix');
    await stop(s);
  });

  it('on its very first start reads running containers from now on (logs.initial_position=end)', async () => {
    await d.docker('run', '-d', '--name', 'older', '--network', 'none', TEST_IMAGE, 'sh', '-c', 'echo "before the collector"; sleep 3; echo "after the collector"; sleep 600');
    await until(async () => ((await engineLines(d, 'older')).length === 1 ? true : undefined), 'the first line written');
    const s = source();
    const lines = await until(() => {
      const l = storedLines(s.store, 'older');
      return l.length >= 1 ? l : undefined;
    }, 'the second line', 20_000);
    assert.deepEqual(lines.map((l) => l.log.message), ['after the collector']);
    await d.docker('rm', '-f', 'older');
    await stop(s);
  });
});
