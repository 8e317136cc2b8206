// Shapes of Grafana's alerting provisioning API (/api/v1/provisioning/...) and of the receiver
// test endpoint, as far as this page reads and writes them. Unknown fields are kept on write.

/** 'file' or 'api' when provisioned; '' (or absent) when editable in Grafana's UI. */
export type Provenance = string | undefined;

/** One integration of a contact point; integrations of one contact point share its `name`. */
export interface ContactPoint {
  uid?: string;
  name: string;
  type: string;
  settings: Record<string, unknown>;
  disableResolveMessage?: boolean;
  provenance?: Provenance;
}

/** ['label', '=' | '!=' | '=~' | '!~', 'value'] */
export type ObjectMatcher = [string, string, string];

/** A node of the notification policy tree; the root is the default policy. */
export interface PolicyRoute {
  receiver?: string;
  group_by?: string[];
  object_matchers?: ObjectMatcher[];
  continue?: boolean;
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
  routes?: PolicyRoute[];
  provenance?: Provenance;
  [key: string]: unknown;
}

export interface ProvisionedAlertRule {
  uid: string;
  title: string;
  folderUID?: string;
  ruleGroup?: string;
  labels?: Record<string, string>;
  isPaused?: boolean;
  provenance?: Provenance;
}

export interface ReceiverTestResult {
  receivers?: Array<{
    name: string;
    grafana_managed_receiver_configs?: Array<{ name: string; uid?: string; status: string; error?: string }>;
  }>;
  notified_at?: string;
}

/** True when Grafana refuses changes from the UI and the API without provenance (file, Terraform). */
export function isLocked(provenance: Provenance): boolean {
  return provenance !== undefined && provenance !== '' && provenance !== 'none';
}
