import type { ContactPoint } from './types';
import { PAGERDUTY_SEVERITY_TEMPLATE, SLACK_COLOR_TEMPLATE } from './shipwatchLabels';

export type ContactKind = 'slack' | 'email' | 'pagerduty';

export const CONTACT_KINDS: Array<{ value: ContactKind; label: string }> = [
  { value: 'slack', label: 'Slack' },
  { value: 'email', label: 'Email' },
  { value: 'pagerduty', label: 'PagerDuty' },
];

/** What Grafana sends instead of a stored secret; sent back unchanged, it keeps the secret. */
export const REDACTED = '[REDACTED]';

export interface ContactForm {
  uid?: string;
  name: string;
  type: ContactKind;
  slackMode: 'webhook' | 'token';
  /** Slack incoming webhook URL. */
  url: string;
  /** Slack bot token and channel (or user) to post to. */
  token: string;
  recipient: string;
  /** Email addresses, one per line or separated by , or ; */
  addresses: string;
  integrationKey: string;
  disableResolveMessage: boolean;
  /** Settings of the integration this page does not manage (titles, templates): kept on save. */
  otherSettings: Record<string, unknown>;
}

const MANAGED_KEYS = ['url', 'token', 'recipient', 'addresses', 'integrationKey', 'severity', 'color'];

export function isManagedKind(type: string): type is ContactKind {
  return type === 'slack' || type === 'email' || type === 'pagerduty';
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function emptyForm(type: ContactKind): ContactForm {
  return {
    name: '',
    type,
    slackMode: 'webhook',
    url: '',
    token: '',
    recipient: '',
    addresses: '',
    integrationKey: '',
    disableResolveMessage: false,
    otherSettings: {},
  };
}

export function formFromContactPoint(cp: ContactPoint & { type: ContactKind }): ContactForm {
  const s = cp.settings ?? {};
  const otherSettings = Object.fromEntries(Object.entries(s).filter(([k]) => !MANAGED_KEYS.includes(k)));
  return {
    uid: cp.uid,
    name: cp.name,
    type: cp.type,
    slackMode: text(s.token) !== '' && text(s.url) === '' ? 'token' : 'webhook',
    url: text(s.url),
    token: text(s.token),
    recipient: text(s.recipient),
    addresses: text(s.addresses),
    integrationKey: text(s.integrationKey),
    disableResolveMessage: Boolean(cp.disableResolveMessage),
    otherSettings,
  };
}

export function splitAddresses(addresses: string): string[] {
  return addresses
    .split(/[\n,;]/)
    .map((a) => a.trim())
    .filter(Boolean);
}

/** Problems by field name; empty when the form can be saved. */
export function formProblems(f: ContactForm): Partial<Record<keyof ContactForm, string>> {
  const p: Partial<Record<keyof ContactForm, string>> = {};
  if (f.name.trim() === '') {
    p.name = 'Give the contact point a name';
  }
  if (f.type === 'slack') {
    if (f.slackMode === 'webhook' && f.url !== REDACTED && !/^https:\/\/\S+$/.test(f.url.trim())) {
      p.url = 'An https:// incoming webhook URL';
    }
    if (f.slackMode === 'token') {
      if (f.token.trim() === '') {
        p.token = 'A bot token (xoxb-…)';
      }
      if (f.recipient.trim() === '') {
        p.recipient = 'A channel name or ID, or a user ID';
      }
    }
  }
  if (f.type === 'email') {
    const addresses = splitAddresses(f.addresses);
    const bad = addresses.find((a) => !/^[^\s@]+@[^\s@]+$/.test(a));
    if (addresses.length === 0) {
      p.addresses = 'At least one address';
    } else if (bad) {
      p.addresses = `Not an email address: ${bad}`;
    }
  }
  if (f.type === 'pagerduty' && f.integrationKey.trim() === '') {
    p.integrationKey = 'The Events API v2 integration key of the PagerDuty service';
  }
  return p;
}

/** The contact point to send to Grafana. */
export function contactPointFromForm(f: ContactForm): ContactPoint {
  const settings: Record<string, unknown> = { ...f.otherSettings };
  if (f.type === 'slack') {
    if (f.slackMode === 'webhook') {
      settings.url = f.url.trim();
    } else {
      settings.token = f.token.trim();
      settings.recipient = f.recipient.trim();
    }
    settings.color = SLACK_COLOR_TEMPLATE;
  } else if (f.type === 'email') {
    settings.addresses = splitAddresses(f.addresses).join(';');
  } else {
    settings.integrationKey = f.integrationKey.trim();
    settings.severity = PAGERDUTY_SEVERITY_TEMPLATE;
  }
  return {
    ...(f.uid ? { uid: f.uid } : {}),
    name: f.name.trim(),
    type: f.type,
    settings,
    disableResolveMessage: f.disableResolveMessage,
  };
}

/**
 * Settings for the receiver test: a secret Grafana sent back redacted is left out, so that Grafana
 * uses the stored one of the integration with this uid.
 */
export function settingsForTest(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== REDACTED));
}
