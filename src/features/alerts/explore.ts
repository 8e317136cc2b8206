import { locationUtil, urlUtil } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import type { ShipEvent } from '../../api/types';

/** How much log around an alert the Explore link shows, each side. */
export const SURROUNDING_MS = 5 * 60_000;

export interface LokiRef {
  uid: string;
  type: string;
  name: string;
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * The Loki stream selector for what happened around an event, on the collector's stream labels
 * (DESIGN §7): the container's streams when there is one, else the pod's, else the host's.
 */
export function lokiSelector(event: ShipEvent): string {
  const labels: Array<[string, string]> = [['job', 'shipwatch']];
  const container = event.container?.name;
  const { namespace, pod } = event.k8s ?? {};
  if (container) {
    labels.push(['container', container]);
  } else if (namespace && pod) {
    labels.push(['namespace', namespace], ['pod', pod]);
  } else if (event.host?.name) {
    labels.push(['host', event.host.name]);
  }
  return `{${labels.map(([k, v]) => `${k}=${quote(v)}`).join(', ')}}`;
}

/** An Explore URL running `expr` on the Loki data source, `SURROUNDING_MS` either side of `timeMs`. */
export function exploreUrl(loki: LokiRef, expr: string, timeMs: number): string {
  const panes = {
    shipwatch: {
      datasource: loki.uid,
      queries: [{ refId: 'A', expr, queryType: 'range', datasource: { type: loki.type, uid: loki.uid } }],
      range: { from: String(timeMs - SURROUNDING_MS), to: String(timeMs + SURROUNDING_MS) },
    },
  };
  return locationUtil.assureBaseUrl(
    `/explore?${urlUtil.toUrlParams({ schemaVersion: 1, panes: JSON.stringify(panes) })}`
  );
}

/** The Loki data source the collector pushes to: the default one if it is Loki, else the first. */
export function findLokiDatasource(): LokiRef | undefined {
  const list = getDataSourceSrv().getList({ type: 'loki' });
  const pick = list.find((ds) => ds.isDefault) ?? list[0];
  return pick ? { uid: pick.uid, type: pick.type, name: pick.name } : undefined;
}
