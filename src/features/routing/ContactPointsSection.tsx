import { Badge, Button, Card, Stack, Text } from '@grafana/ui';
import { DataState } from '../../shared/DataState';
import type { CollectorData } from '../../shared/useCollectorData';
import {
  CONTACT_KINDS,
  type ContactForm,
  emptyForm,
  formFromContactPoint,
  isManagedKind,
  REDACTED,
} from './contactPointForm';
import { TestSendButton } from './TestSendButton';
import { type ContactPoint, isLocked } from './types';

interface Props {
  state: CollectorData<ContactPoint[]>;
  onEdit: (form: ContactForm) => void;
}

export const contactTestIds = {
  card: (name: string) => `data-testid contact-point-${name}`,
  add: (kind: string) => `data-testid contact-add-${kind}`,
};

/** Where the integration sends to, without showing secrets. */
function target(cp: ContactPoint): string {
  const s = cp.settings ?? {};
  const shown = (v: unknown) => (v === REDACTED ? 'stored secret' : typeof v === 'string' ? v : '');
  switch (cp.type) {
    case 'slack':
      return s.recipient ? `channel ${shown(s.recipient)}` : `webhook (${shown(s.url) || 'not set'})`;
    case 'email':
      return shown(s.addresses);
    case 'pagerduty':
      return `integration key: ${shown(s.integrationKey) ? 'set' : 'not set'}; severity ${typeof s.severity === 'string' && s.severity.includes('{{') ? 'from the severity label' : shown(s.severity) || 'Grafana default'}`;
    default:
      return '';
  }
}

function ContactPointCard({ cp, onEdit }: { cp: ContactPoint; onEdit: Props['onEdit'] }) {
  const locked = isLocked(cp.provenance);
  const managed = isManagedKind(cp.type);
  return (
    <Card noMargin data-testid={contactTestIds.card(cp.name)}>
      <Card.Heading>{cp.name}</Card.Heading>
      <Card.Meta>{[cp.type, target(cp)]}</Card.Meta>
      <Card.Tags>{locked && <Badge color="orange" icon="lock" text={`provisioned (${cp.provenance})`} />}</Card.Tags>
      <Card.Description>
        {locked && (
          <Text color="secondary">
            Grafana refuses changes to a contact point provisioned from{' '}
            {cp.provenance === 'file' ? 'files' : cp.provenance}: edit it there (Shipwatch ships
            provisioning/alerting/contact-points.yaml).
          </Text>
        )}
        <TestSendButton contactPoint={cp} />
      </Card.Description>
      <Card.Actions>
        {managed && !locked && (
          <Button
            size="sm"
            icon="pen"
            onClick={() => onEdit(formFromContactPoint({ ...cp, type: cp.type as ContactForm['type'] }))}
          >
            Edit
          </Button>
        )}
      </Card.Actions>
    </Card>
  );
}

/** Grafana's contact points (one card per integration) and buttons to add Slack, email and PagerDuty ones. */
export function ContactPointsSection({ state, onEdit }: Props) {
  return (
    <Stack direction="column" gap={2}>
      <Stack direction="row" gap={1}>
        {CONTACT_KINDS.map((k) => (
          <Button
            key={k.value}
            icon="plus"
            variant="secondary"
            data-testid={contactTestIds.add(k.value)}
            onClick={() => onEdit(emptyForm(k.value))}
          >
            Add {k.label}
          </Button>
        ))}
      </Stack>
      <DataState
        state={state}
        what="contact points"
        isEmpty={(d) => d.length === 0}
        emptyMessage="Grafana has no contact points yet"
      >
        {(contactPoints) => (
          <Stack direction="column" gap={1}>
            {contactPoints.map((cp, i) => (
              <ContactPointCard key={cp.uid ?? `${cp.name}-${i}`} cp={cp} onEdit={onEdit} />
            ))}
          </Stack>
        )}
      </DataState>
    </Stack>
  );
}
