import { uuidv7 } from './id.js';

/** Where an event came from (DESIGN.md §3). */
export type EventSource = 'docker' | 'kubernetes' | 'k8s_audit' | 'log' | 'metric' | 'collector';

export interface EventMeta {
  id: string;
  /** RFC 3339 with nine fractional digits, from the source. */
  time: string;
  source: EventSource;
  action: string;
  /** True for events synthesized by reconciling against a container list after a gap. */
  reconciled?: boolean;
  [k: string]: unknown;
}

/** A normalized event: nested JSON objects addressed by dotted paths in rules and queries. */
export interface ShipEvent {
  event: EventMeta;
  host?: { name: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface ContainerFields {
  id: string;
  name?: string;
  image?: string;
  image_id?: string;
  labels?: Record<string, string>;
  compose?: { project?: string; service?: string };
  privileged?: boolean;
  cap_add?: string[];
  mounts?: MountFields[];
  network_mode?: string;
  pid_mode?: string;
  ipc_mode?: string;
  user?: string;
  read_only_rootfs?: boolean;
  exit_code?: number;
  [k: string]: unknown;
}

export interface MountFields {
  type: string;
  source: string;
  destination: string;
  rw: boolean;
  name?: string;
}

/** A durable source position, written by the store in the same transaction as the events before it. */
export interface Checkpoint {
  key: string;
  value: string;
}

export function newEventId(): string {
  return uuidv7();
}

/** Severity names of DESIGN.md §4, from a rule level (0–15). */
export type Severity = 'low' | 'medium' | 'high' | 'critical';

export function severityOf(level: number): Severity {
  if (level >= 12) return 'critical';
  if (level >= 8) return 'high';
  if (level >= 4) return 'medium';
  return 'low';
}

export interface AlertRuleRef {
  id: number;
  level: number;
  description: string;
  groups: string[];
  mitre: string[];
}

export interface Alert {
  id: string;
  time: string;
  rule: AlertRuleRef;
  severity: Severity;
  count: number;
  event: ShipEvent;
}
