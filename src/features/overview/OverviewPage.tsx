import { useCallback, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, RadioButtonGroup, Stack, useStyles2 } from '@grafana/ui';
import { collectorApi } from '../../api/client';
import { SEVERITIES } from '../../api/types';
import { DataState } from '../../shared/DataState';
import { ruleTitle } from '../../shared/format';
import { appPageUrl } from '../../shared/links';
import { Section } from '../../shared/Section';
import { SeverityBadge } from '../../shared/SeverityBadge';
import { DEFAULT_SINCE, presetMs, SINCE_PRESETS } from '../../shared/timePresets';
import { useCollectorData } from '../../shared/useCollectorData';
import { AlertsOverTimeChart } from './AlertsOverTimeChart';
import { loadAlertTimeline } from './alertTimeline';
import { postureFindings, PostureFindingsList } from './PostureFindingsList';
import { RankedList } from './RankedList';
import { SourcesList } from './SourcesList';

const TOP = 10;
const HEALTH_REFRESH_MS = 30_000;

function OverviewPage() {
  const styles = useStyles2(getStyles);
  const [since, setSince] = useState(DEFAULT_SINCE);

  const stats = useCollectorData(useCallback(() => collectorApi.alertStats(since), [since]));
  const timeline = useCollectorData(
    useCallback(() => loadAlertTimeline(since, presetMs(since) ?? 86_400_000), [since])
  );
  const rules = useCollectorData(useCallback(() => collectorApi.rules(), []));
  const health = useCollectorData(
    useCallback(() => collectorApi.health(), []),
    HEALTH_REFRESH_MS
  );
  const containers = useCollectorData(useCallback(() => collectorApi.containers(), []));

  const ruleDescriptions = useMemo(
    () => new Map((rules.data?.rules ?? []).map((r) => [r.id, ruleTitle(r.description)])),
    [rules.data]
  );
  const sinceLabel = `the last ${since}`;

  return (
    <PluginPage
      actions={
        <RadioButtonGroup
          aria-label="Time window"
          options={SINCE_PRESETS}
          value={since}
          onChange={setSince}
          size="sm"
        />
      }
    >
      <div className={styles.grid}>
        <div className={styles.wide}>
          <Section title="Alerts by severity over time">
            <DataState
              state={stats}
              what="alert counts"
              isEmpty={(s) => s.total === 0}
              emptyMessage={`No alerts in ${sinceLabel}`}
              emptyVariant="completed"
            >
              {(s) => (
                <Stack direction="column" gap={2}>
                  <Stack direction="row" gap={2} wrap="wrap" alignItems="center">
                    <span>{s.total} alerts</span>
                    {SEVERITIES.slice()
                      .reverse()
                      .map((sev) => (
                        <span key={sev}>
                          <SeverityBadge severity={sev} /> {s.by_severity[sev] ?? 0}
                        </span>
                      ))}
                  </Stack>
                  <DataState state={timeline} what="alerts over time" isEmpty={() => false} emptyMessage="">
                    {(t) => <AlertsOverTimeChart timeline={t} />}
                  </DataState>
                </Stack>
              )}
            </DataState>
          </Section>
        </div>

        <Section title="Top rules">
          {rules.error && (
            <Alert severity="warning" title="Rule descriptions unavailable">
              {rules.error.message}
            </Alert>
          )}
          <DataState
            state={stats}
            what="top rules"
            isEmpty={(s) => s.by_rule.length === 0}
            emptyMessage={`No rule raised an alert in ${sinceLabel}`}
            emptyVariant="completed"
          >
            {(s) => (
              <RankedList
                label="Top rules"
                items={s.by_rule.slice(0, TOP).map((r) => ({
                  key: String(r.rule_id),
                  label: `${r.rule_id} ${ruleDescriptions.get(r.rule_id) ?? ''}`.trim(),
                  count: r.count,
                  to: appPageUrl('alerts', { since, rule_id: r.rule_id }),
                }))}
              />
            )}
          </DataState>
        </Section>

        <Section title="Top containers">
          <DataState
            state={stats}
            what="top containers"
            isEmpty={(s) => s.by_container.length === 0}
            emptyMessage={`No container alerts in ${sinceLabel}`}
            emptyVariant="completed"
          >
            {(s) => (
              <RankedList
                label="Top containers"
                items={s.by_container.slice(0, TOP).map((c) => ({
                  key: c.container,
                  label: c.container,
                  count: c.count,
                  to: appPageUrl('alerts', { since, container: c.container }),
                }))}
              />
            )}
          </DataState>
        </Section>

        <Section title="Sources">
          <DataState state={health} what="the collector's status" isEmpty={() => false} emptyMessage="">
            {(h) => <SourcesList health={h} />}
          </DataState>
        </Section>

        <Section title="Posture findings">
          <DataState
            state={containers}
            what="containers"
            isEmpty={(c) => postureFindings(c.containers).length === 0}
            emptyMessage="No posture findings: no container runs privileged, with host namespaces, sensitive mounts or added capabilities"
            emptyVariant="completed"
          >
            {(c) => <PostureFindingsList findings={postureFindings(c.containers)} />}
          </DataState>
        </Section>
      </div>
    </PluginPage>
  );
}

export default OverviewPage;

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))',
    gap: theme.spacing(2),
  }),
  wide: css({ gridColumn: '1 / -1' }),
});
