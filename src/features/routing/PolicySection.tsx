import { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Checkbox, Combobox, IconButton, Stack, Text, useStyles2 } from '@grafana/ui';
import { SEVERITIES, type Severity } from '../../api/types';
import { errorMessage } from '../../api/errors';
import type { CollectorData } from '../../shared/useCollectorData';
import { grafanaAlertingApi } from './api';
import { isShipwatchRoute, mergeShipwatchRoutes, readShipwatchRoutes, type ShipwatchRoute } from './policyRoutes';
import { SEVERITY_LABEL, SHIPWATCH_LABEL } from './shipwatchLabels';
import { isLocked, type PolicyRoute, type ProvisionedAlertRule } from './types';

interface Props {
  tree: PolicyRoute;
  contactPointNames: string[];
  alertRules: CollectorData<ProvisionedAlertRule[]>;
  onSaved: () => void;
}

export const policyTestIds = {
  row: (i: number) => `data-testid policy-row-${i}`,
  severity: (i: number, s: Severity) => `data-testid policy-row-${i}-${s}`,
  add: 'data-testid policy-add',
  save: 'data-testid policy-save',
};

const MATCHER = `${SHIPWATCH_LABEL.name}="${SHIPWATCH_LABEL.value}"`;

function AlertRulesNote({ state }: { state: CollectorData<ProvisionedAlertRule[]> }) {
  if (state.error) {
    return (
      <Alert severity="warning" title="Could not list Grafana's alert rules">
        {state.error.message}
      </Alert>
    );
  }
  if (!state.data) {
    return null;
  }
  const ours = state.data.filter((r) => r.labels?.[SHIPWATCH_LABEL.name] === SHIPWATCH_LABEL.value);
  if (ours.length === 0) {
    return (
      <Alert severity="warning" title={`No alert rule carries ${MATCHER}`}>
        These routes only match alerts of rules labelled {MATCHER} with a {SEVERITY_LABEL} label; Shipwatch provisions
        such rules from provisioning/alerting/rules.yaml.
      </Alert>
    );
  }
  const severities = [...new Set(ours.map((r) => r.labels?.[SEVERITY_LABEL]).filter(Boolean))].join(', ');
  return (
    <Text color="secondary">
      {ours.length} Grafana alert rule(s) carry {MATCHER} (severities: {severities || 'none labelled'}).
    </Text>
  );
}

/**
 * The Shipwatch routes of the notification policy: which contact points get which severities.
 * The rest of the tree (default policy, other teams' routes) is written back as it was read.
 */
export function PolicySection({ tree, contactPointNames, alertRules, onSaved }: Props) {
  const styles = useStyles2(getStyles);
  const [rows, setRows] = useState<ShipwatchRoute[]>(() => readShipwatchRoutes(tree));
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string } | undefined>();
  const locked = isLocked(tree.provenance);
  const others = (tree.routes ?? []).filter((r) => !isShipwatchRoute(r)).length;

  const update = (i: number, patch: Partial<ShipwatchRoute>) =>
    setRows((all) => all.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const toggle = (i: number, s: Severity) =>
    update(i, {
      severities: rows[i].severities.includes(s)
        ? rows[i].severities.filter((x) => x !== s)
        : [...rows[i].severities, s],
    });

  const save = async () => {
    setBusy(true);
    setOutcome(undefined);
    try {
      await grafanaAlertingApi.putPolicyTree(mergeShipwatchRoutes(tree, rows));
      setOutcome({ ok: true, message: 'Notification policy saved' });
      onSaved();
    } catch (err) {
      setOutcome({ ok: false, message: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack direction="column" gap={2}>
      <Text color="secondary">
        Routes under the default policy (receiver {tree.receiver ?? '—'}) matching {MATCHER}, by {SEVERITY_LABEL}. One
        alert reaches every row it matches. {others} other route(s) of the policy tree are kept as they are.
      </Text>
      <AlertRulesNote state={alertRules} />
      {locked && (
        <Alert severity="info" title={`The notification policy is provisioned (${tree.provenance})`}>
          Grafana refuses changes to a policy tree provisioned from{' '}
          {tree.provenance === 'file' ? 'files' : tree.provenance}; change provisioning/alerting/policies.yaml instead,
          or remove it from provisioning to manage routes here.
        </Alert>
      )}
      {rows.length === 0 && <Text>No Shipwatch routes yet: Shipwatch alerts follow the default policy.</Text>}
      {rows.map((row, i) => (
        <div key={i} className={styles.row} data-testid={policyTestIds.row(i)}>
          <Combobox
            width={30}
            placeholder="Contact point"
            disabled={locked}
            value={row.receiver || null}
            options={[...new Set([...contactPointNames, ...(row.receiver ? [row.receiver] : [])])].map((n) => ({
              label: n,
              value: n,
            }))}
            onChange={(o) => update(i, { receiver: o.value })}
          />
          {SEVERITIES.map((s) => (
            <Checkbox
              key={s}
              label={s}
              disabled={locked}
              value={row.severities.includes(s)}
              data-testid={policyTestIds.severity(i, s)}
              onChange={() => toggle(i, s)}
            />
          ))}
          <IconButton
            name="trash-alt"
            tooltip="Remove this route"
            disabled={locked}
            onClick={() => setRows((all) => all.filter((_, j) => j !== i))}
          />
        </div>
      ))}
      <Stack direction="row" gap={1}>
        <Button
          variant="secondary"
          icon="plus"
          disabled={locked}
          data-testid={policyTestIds.add}
          onClick={() => setRows((all) => [...all, { receiver: '', severities: [...SEVERITIES] }])}
        >
          Add route
        </Button>
        <Button
          icon={busy ? 'spinner' : 'save'}
          disabled={locked || busy}
          data-testid={policyTestIds.save}
          onClick={save}
        >
          Save policy
        </Button>
      </Stack>
      {rows.some((r) => r.receiver === '' || r.severities.length === 0) && (
        <Text color="warning">Rows without a contact point or without a severity are left out when saving.</Text>
      )}
      {outcome && (
        <Alert
          severity={outcome.ok ? 'success' : 'error'}
          title={outcome.ok ? outcome.message : 'Notification policy not saved'}
        >
          {outcome.ok ? null : outcome.message}
        </Alert>
      )}
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  row: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(2), flexWrap: 'wrap' }),
});
