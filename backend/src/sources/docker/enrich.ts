import type { ContainerFields, ShipEvent } from '../../event/event.js';
import type { Logger } from '../../util/log.js';
import { DockerApiError, type DockerClient } from './client.js';
import { containerFromInspect, healthcheckCommand, type ContainerInspect } from './inspect.js';

/**
 * Container metadata by id, filled from inspect and evicted on destroy. Events carry name, image
 * and labels in their attributes; inspect adds the posture (privileged, mounts, namespaces, ...).
 */
export class ContainerCache {
  private readonly byId = new Map<string, ContainerFields>();
  /** Health-check command lines by container: Docker runs them as execs that look like any other. */
  private readonly healthchecks = new Map<string, string>();
  inspects = 0;
  inspectFailures = 0;

  constructor(
    private readonly client: DockerClient,
    private readonly log: Logger,
    private readonly timeoutMs: number,
    private readonly selfId: string | undefined,
  ) {}

  seed(c: ContainerFields): void {
    this.byId.set(c.id, c);
  }

  get(id: string): ContainerFields | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Inspects a container; undefined when it is already gone or the engine did not answer. */
  async inspect(id: string): Promise<{ fields: ContainerFields; raw: ContainerInspect } | undefined> {
    this.inspects += 1;
    try {
      const raw = await this.client.getJson<ContainerInspect>(`/containers/${encodeURIComponent(id)}/json`, {}, this.timeoutMs);
      const fields = containerFromInspect(raw);
      this.byId.set(id, fields);
      const hc = healthcheckCommand(raw);
      if (hc) this.healthchecks.set(id, hc);
      else this.healthchecks.delete(id);
      return { fields, raw };
    } catch (err) {
      this.inspectFailures += 1;
      if (!(err instanceof DockerApiError && err.status === 404)) this.log.debug({ err: String(err), container: id }, 'inspect failed');
      return undefined;
    }
  }

  /** Fills `container.*` of an event; inspects on create/start or when the container is unknown. */
  async enrich(ev: ShipEvent): Promise<void> {
    const c = ev.container as ContainerFields | undefined;
    if (!c?.id) return;
    const action = ev.event.action;
    let known = this.byId.get(c.id);
    const isContainerEvent = (ev.docker as { type?: string } | undefined)?.type === 'container';
    let oomKilled: boolean | undefined;
    // Whether the kernel's OOM killer ended a container is only in State: a death by SIGKILL
    // (exit 137, what the OOM killer sends) is inspected again; other deaths are not.
    const killedDie = isContainerEvent && action === 'die' && c.exit_code === 137;
    if (!known || killedDie || (isContainerEvent && (action === 'create' || action === 'start') && known.privileged === undefined)) {
      if (action !== 'destroy') {
        const r = await this.inspect(c.id);
        known = r?.fields ?? known;
        if (action === 'die' && isContainerEvent) oomKilled = r?.raw.State?.OOMKilled;
      }
    }
    if (known) {
      // The event's own values win: a rename carries the new name, a die its exit code.
      ev.container = { ...known, ...stripUndefined(c), labels: Object.keys(c.labels ?? {}).length ? c.labels : known.labels };
      if (isContainerEvent && action === 'rename' && c.name) this.byId.set(c.id, { ...known, name: c.name });
    }
    if (oomKilled !== undefined) (ev.container as ContainerFields).oom = oomKilled;
    const exec = (ev.docker as { exec?: { command?: string; healthcheck?: boolean } } | undefined)?.exec;
    if (exec?.command !== undefined && isContainerEvent && action.startsWith('exec_')) {
      exec.healthcheck = this.healthchecks.get(c.id) === exec.command;
    }
    if (this.selfId && c.id === this.selfId) (ev.container as ContainerFields).is_collector = true;
    if (isContainerEvent && action === 'destroy') {
      this.byId.delete(c.id);
      this.healthchecks.delete(c.id);
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
