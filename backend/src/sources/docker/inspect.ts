import type { ContainerFields, MountFields } from '../../event/event.js';
import { composeOf } from '../../transforms/normalize/docker.js';

/** The parts of `GET /containers/{id}/json` that the collector reads. */
export interface ContainerInspect {
  Id: string;
  Name?: string;
  Image?: string;
  Created?: string;
  State?: { Status?: string; Running?: boolean; Paused?: boolean; ExitCode?: number; StartedAt?: string; FinishedAt?: string; OOMKilled?: boolean; Health?: { Status?: string } };
  Config?: { Image?: string; User?: string; Labels?: Record<string, string> | null; Healthcheck?: { Test?: string[] | null } | null };
  HostConfig?: {
    Privileged?: boolean;
    CapAdd?: string[] | null;
    NetworkMode?: string;
    PidMode?: string;
    IpcMode?: string;
    ReadonlyRootfs?: boolean;
  };
  Mounts?: { Type?: string; Name?: string; Source?: string; Destination?: string; RW?: boolean }[] | null;
}

/** Identity and posture fields of DESIGN.md §3 from an inspect answer. */
export function containerFromInspect(i: ContainerInspect): ContainerFields {
  const labels = i.Config?.Labels ?? {};
  const hc = i.HostConfig ?? {};
  const c: ContainerFields = {
    id: i.Id,
    name: (i.Name ?? '').replace(/^\//, ''),
    image: i.Config?.Image ?? '',
    image_id: i.Image ?? '',
    labels,
    privileged: hc.Privileged === true,
    cap_add: (hc.CapAdd ?? []).map(normalizeCapability),
    mounts: (i.Mounts ?? []).map(mountOf),
    network_mode: hc.NetworkMode ?? '',
    pid_mode: hc.PidMode ?? '',
    ipc_mode: hc.IpcMode ?? '',
    user: i.Config?.User ?? '',
    read_only_rootfs: hc.ReadonlyRootfs === true,
  };
  const compose = composeOf(labels);
  if (compose) c.compose = compose;
  return c;
}

/**
 * The command line Docker runs for the container's health check, as it appears in the exec events
 * (`CMD-SHELL x` runs `/bin/sh -c x`; `CMD a b` runs `a b`); undefined without a health check.
 */
export function healthcheckCommand(i: ContainerInspect): string | undefined {
  const test = i.Config?.Healthcheck?.Test;
  if (!test || test.length < 2) return undefined;
  if (test[0] === 'CMD-SHELL') return `/bin/sh -c ${test.slice(1).join(' ')}`;
  if (test[0] === 'CMD') return test.slice(1).join(' ');
  return undefined;
}

/** `CAP_SYS_ADMIN`, `sys_admin` and `SYS_ADMIN` are one capability; rules see `SYS_ADMIN`. */
export function normalizeCapability(cap: string): string {
  return cap.toUpperCase().replace(/^CAP_/, '');
}

function mountOf(m: NonNullable<ContainerInspect['Mounts']>[number]): MountFields {
  return {
    type: m.Type ?? '',
    source: m.Source ?? '',
    destination: m.Destination ?? '',
    rw: m.RW !== false,
    ...(m.Name ? { name: m.Name } : {}),
  };
}
