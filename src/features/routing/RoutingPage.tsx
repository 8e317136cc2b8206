import { useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Stack, Text } from '@grafana/ui';
import { DataState } from '../../shared/DataState';
import { useCollectorData } from '../../shared/useCollectorData';
import { grafanaAlertingApi } from './api';
import { ContactPointEditor } from './ContactPointEditor';
import { ContactPointsSection } from './ContactPointsSection';
import type { ContactForm } from './contactPointForm';
import { PolicySection } from './PolicySection';

// Module-level loaders are stable, as useCollectorData requires.
const loadContactPoints = () => grafanaAlertingApi.contactPoints();
const loadPolicy = () => grafanaAlertingApi.policyTree();
const loadAlertRules = () => grafanaAlertingApi.alertRules();

/** Where Shipwatch alerts go: Grafana contact points and the notification policy routing them by severity. */
function RoutingPage() {
  const contactPoints = useCollectorData(loadContactPoints);
  const policy = useCollectorData(loadPolicy);
  const alertRules = useCollectorData(loadAlertRules);
  const [editing, setEditing] = useState<ContactForm | undefined>();

  const names = [...new Set((contactPoints.data ?? []).map((cp) => cp.name))].sort();

  return (
    <PluginPage>
      <Stack direction="column" gap={4}>
        <section>
          <Text element="h3">Contact points</Text>
          {editing ? (
            <ContactPointEditor
              key={editing.uid ?? `new-${editing.type}`}
              initial={editing}
              onCancel={() => setEditing(undefined)}
              onSaved={() => {
                setEditing(undefined);
                contactPoints.reload();
              }}
            />
          ) : (
            <ContactPointsSection state={contactPoints} onEdit={setEditing} />
          )}
        </section>
        <section>
          <Text element="h3">Notification policy for Shipwatch alerts</Text>
          <DataState state={policy} what="the notification policy" isEmpty={() => false} emptyMessage="">
            {(tree) => (
              <PolicySection
                tree={tree}
                contactPointNames={names}
                alertRules={alertRules}
                // The form keeps its rows (what was saved); the reloaded tree is what the next save merges into.
                onSaved={policy.reload}
              />
            )}
          </DataState>
        </section>
      </Stack>
    </PluginPage>
  );
}

export default RoutingPage;
