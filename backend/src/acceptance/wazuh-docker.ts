import fs from 'node:fs';
import path from 'node:path';
import type { ShipEvent } from '../event/event.js';
import type { DockerRawEvent } from '../transforms/normalize/docker.js';
import { inputToEvent } from '../transforms/input.js';
import type { DetectionEngine } from '../transforms/detect/index.js';

/**
 * Acceptance run against Wazuh's Docker ruleset test file (`wazuh-docker/docker_integration.ini`,
 * GPL-2.0 test data read from the acceptance folder, never copied into this repository).
 *
 * The file is a Wazuh ruleset test: sections `[title]`, each with one or more
 * `log N pass = {"integration":"docker","docker":{...}}` lines (the event as Wazuh's Docker
 * listener forwards it) and the `rule = <id>` / `alert = <level>` Wazuh gives it. Each event is
 * turned into the Docker engine event it came from, normalized as the Docker source does, and
 * evaluated in file order on a fork of the engine (the caller's correlation state is untouched).
 *
 * The requirement: every event Wazuh alerts on at level 5 or more also alerts here. Levels may
 * differ on purpose; the reason column says why.
 */

export interface WazuhDockerResult {
  title: string;
  header: string[];
  rows: string[][];
  failures: string[];
}

export interface WazuhTestLog {
  section: string;
  /** `pass`: Wazuh expects its rule to match; `fail`: Wazuh expects it not to. */
  expectation: 'pass' | 'fail';
  /** The text after `=`, as read. */
  text: string;
  wazuhRule?: number;
  wazuhLevel?: number;
}

/** The level from which an event must alert here too. */
export const WAZUH_REQUIRED_LEVEL = 5;

/** Parses a Wazuh ruleset test `.ini` file: one entry per `log N pass|fail = ...` line. */
export function parseWazuhTestIni(text: string): WazuhTestLog[] {
  const out: WazuhTestLog[] = [];
  let section = '';
  let pending: WazuhTestLog[] = [];
  const close = () => {
    out.push(...pending);
    pending = [];
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(.*)\]$/.exec(line);
    if (sec) {
      close();
      section = sec[1]!.trim();
      continue;
    }
    const log = /^log\s+\d+\s+(pass|fail)\s*=\s?(.*)$/.exec(line);
    if (log) {
      pending.push({ section, expectation: log[1] as 'pass' | 'fail', text: log[2]! });
      continue;
    }
    const kv = /^(rule|alert)\s*=\s*(\d+)\s*$/.exec(line);
    if (kv) {
      for (const p of pending) {
        if (kv[1] === 'rule') p.wazuhRule = Number(kv[2]);
        else p.wazuhLevel = Number(kv[2]);
      }
    }
  }
  close();
  return out;
}

const IMAGE_ACTIONS = new Set(['pull', 'push', 'tag', 'untag', 'delete', 'import', 'load', 'save']);

/**
 * The Docker engine event behind a Wazuh `docker` object. Wazuh's listener forwards the event as
 * Docker sent it; older engines (API < 1.22) sent only `status`, `id` and `from`, which Docker
 * itself maps as: `Action` = status, `Actor.ID` = id, `Actor.Attributes.image` = from, and `Type`
 * container when `from` is present (only container events had it), image otherwise.
 * `timeNanoText` is the decimal text of `timeNano` (a JSON number that large loses digits).
 */
export function wazuhDockerToEngineEvent(obj: Record<string, unknown>, timeNanoText?: string): DockerRawEvent {
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
  const actor = (obj.Actor && typeof obj.Actor === 'object' ? obj.Actor : {}) as { ID?: unknown; Attributes?: unknown };
  const attributes: Record<string, string> = {};
  if (actor.Attributes && typeof actor.Attributes === 'object') {
    for (const [k, v] of Object.entries(actor.Attributes as Record<string, unknown>)) {
      const s = str(v);
      if (s !== undefined) attributes[k] = s;
    }
  }
  const action = str(obj.Action) ?? str(obj.status) ?? '';
  const from = str(obj.from);
  const id = str(actor.ID) ?? str(obj.id) ?? '';
  const type = str(obj.Type) ?? (from !== undefined ? 'container' : IMAGE_ACTIONS.has(action.split(':')[0]!.trim()) ? 'image' : 'container');
  if (from !== undefined && attributes.image === undefined && type === 'container') attributes.image = from;
  if (type === 'image' && attributes.name === undefined && id) attributes.name = id;
  const ev: DockerRawEvent = { Type: type, Action: action, Actor: { ID: id, Attributes: attributes } };
  const scope = str(obj.scope);
  if (scope) ev.scope = scope;
  if (typeof obj.time === 'number') ev.time = obj.time;
  const nano = timeNanoText ?? str(obj.timeNano);
  if (nano !== undefined && /^\d+$/.test(nano)) ev.timeNano = nano;
  else if (ev.time === undefined && typeof obj.timeNano === 'number') ev.timeNano = obj.timeNano;
  return ev;
}

/** Why our level differs from Wazuh's, per rule that decides it. */
const REASONS: Record<number, string> = {
  100001: 'creating a container is routine: level 3',
  100002: 'starting a container is routine: level 3',
  100004: 'a normal stop is routine: level 3',
  100005: 'pausing is an administrative action: level 3',
  100006: 'resuming is routine: level 2',
  100009: 'removing a container is routine (docker run --rm does it): level 3',
  100011: 'SIGTERM opens every docker stop: level 2',
  100023: 'a crash (non-zero exit) is worth a look: level 6',
  100024: 'SIGKILL (137) ends stops that time out as well as kills: level 5',
  100025: 'exit code 0 is a normal end (a job finished, or docker stop): level 2',
  100100: 'an exec that is not a shell is a routine admin action: level 3',
  100101: 'a shell in a container is hands-on-keyboard activity: level 9',
  100102: 'a shell in a container that can reach the host: level 12',
  100301: 'pulling a trusted image is routine: level 3',
  100302: 'an image from a registry not on the allow-list: level 6',
  100401: 'creating a network is routine: level 3',
  100402: 'removing a network is routine cleanup: level 3',
  100410: 'creating a volume is routine: level 2',
  100411: 'removing a volume deletes its data, but is usually cleanup: level 4',
};

export const WAZUH_DOCKER_HEADER = ['event', 'Wazuh rule', 'Wazuh level', 'our rules', 'our level', 'our tags', 'result', 'level difference'];

/** Reads `<dir>/wazuh-docker/docker_integration.ini` and evaluates each event. */
export async function runWazuhDocker(dir: string, engine: DetectionEngine): Promise<WazuhDockerResult> {
  const file = path.join(dir, 'wazuh-docker', 'docker_integration.ini');
  const text = await fs.promises.readFile(file, 'utf8');
  const logs = parseWazuhTestIni(text);
  const rows: string[][] = [];
  const failures: string[] = [];
  let required = 0;
  const run = engine.fork();

  logs.forEach((log, index) => {
    const wazuhLevel = log.expectation === 'pass' ? (log.wazuhLevel ?? 0) : 0;
    const mustAlert = wazuhLevel >= WAZUH_REQUIRED_LEVEL;
    if (mustAlert) required += 1;
    const base = [log.section, String(log.wazuhRule ?? ''), log.expectation === 'pass' ? String(log.wazuhLevel ?? '') : `(must not match ${log.wazuhRule ?? '?'})`];

    let docker: Record<string, unknown> | undefined;
    try {
      const parsed = JSON.parse(log.text) as { integration?: unknown; docker?: unknown };
      if (parsed && typeof parsed === 'object' && parsed.docker && typeof parsed.docker === 'object') docker = parsed.docker as Record<string, unknown>;
    } catch {
      docker = undefined;
    }
    if (!docker) {
      rows.push([...base, '', '', '', mustAlert ? 'FAIL' : 'skipped', 'not a docker integration event']);
      if (mustAlert) failures.push(`${log.section}: the log line is not a {"integration":"docker","docker":{...}} object`);
      return;
    }
    const nanoText = /"timeNano"\s*:\s*"?(\d+)/.exec(log.text)?.[1];
    const raw = wazuhDockerToEngineEvent(docker, nanoText);
    const ev = inputToEvent({ docker_event: raw }, index, 'wazuh-acceptance');
    if (!('event' in ev)) {
      rows.push([...base, '', '', '', mustAlert ? 'FAIL' : 'skipped', (ev as { error: string }).error]);
      if (mustAlert) failures.push(`${log.section}: ${(ev as { error: string }).error}`);
      return;
    }
    const alerts = run.evaluate(ev as ShipEvent);
    const top = alerts[0];
    const ourLevel = alerts.reduce((m, a) => Math.max(m, a.rule.level), 0);
    const ok = !mustAlert || alerts.length > 0;
    if (!ok) failures.push(`${log.section}: Wazuh alerts at level ${wazuhLevel} (rule ${log.wazuhRule}), no rule alerted here`);
    let reason = '';
    if (top && log.expectation === 'pass' && ourLevel !== wazuhLevel) {
      reason = REASONS[top.rule.id] ?? `${top.rule.description}: level ${top.rule.level}`;
    } else if (!top && wazuhLevel > 0) {
      reason = 'no alert';
    }
    rows.push([
      ...base,
      alerts.map((a) => String(a.rule.id)).join(', '),
      alerts.length ? String(ourLevel) : '',
      [...new Set(alerts.flatMap((a) => a.rule.groups))].join(', '),
      ok ? 'pass' : 'FAIL',
      reason,
    ]);
  });

  const title = `Wazuh Docker ruleset (${path.basename(file)}): ${logs.length} events, ${required} alerted by Wazuh at level ${WAZUH_REQUIRED_LEVEL}+, ${failures.length} failures`;
  return { title, header: WAZUH_DOCKER_HEADER, rows, failures };
}

/** The result as a Markdown table (for the acceptance report and test output). */
export function formatWazuhDocker(r: WazuhDockerResult): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `### ${r.title}`,
    '',
    `| ${r.header.map(esc).join(' | ')} |`,
    `|${r.header.map(() => '---').join('|')}|`,
    ...r.rows.map((row) => `| ${row.map(esc).join(' | ')} |`),
    ...(r.failures.length ? ['', 'Failures:', ...r.failures.map((f) => `- ${f}`)] : []),
  ].join('\n');
}
