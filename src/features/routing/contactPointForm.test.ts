import {
  contactPointFromForm,
  emptyForm,
  formFromContactPoint,
  formProblems,
  REDACTED,
  settingsForTest,
} from './contactPointForm';
import { PAGERDUTY_SEVERITY_TEMPLATE, SLACK_COLOR_TEMPLATE } from './shipwatchLabels';

describe('contact point settings', () => {
  it('templates the PagerDuty severity from the severity label (DESIGN §4), never a fixed value', () => {
    expect(PAGERDUTY_SEVERITY_TEMPLATE).toBe(
      '{{ if eq .CommonLabels.severity "low" }}info{{ else if eq .CommonLabels.severity "medium" }}warning' +
        '{{ else if eq .CommonLabels.severity "high" }}error{{ else if eq .CommonLabels.severity "critical" }}critical{{ else }}warning{{ end }}'
    );
    const cp = contactPointFromForm({ ...emptyForm('pagerduty'), name: 'pd', integrationKey: ' abc ' });
    expect(cp).toEqual({
      name: 'pd',
      type: 'pagerduty',
      settings: { integrationKey: 'abc', severity: PAGERDUTY_SEVERITY_TEMPLATE },
      disableResolveMessage: false,
    });
  });

  it('writes Slack by webhook or by token and channel, with the severity colour', () => {
    expect(
      contactPointFromForm({ ...emptyForm('slack'), name: 's', url: 'https://hooks.slack.com/services/x' }).settings
    ).toEqual({
      url: 'https://hooks.slack.com/services/x',
      color: SLACK_COLOR_TEMPLATE,
    });
    expect(
      contactPointFromForm({ ...emptyForm('slack'), name: 's', slackMode: 'token', token: 'xoxb-1', recipient: '#sec' })
        .settings
    ).toEqual({
      token: 'xoxb-1',
      recipient: '#sec',
      color: SLACK_COLOR_TEMPLATE,
    });
    expect(formProblems({ ...emptyForm('slack'), name: 's', slackMode: 'token' })).toEqual({
      token: 'A bot token (xoxb-…)',
      recipient: 'A channel name or ID, or a user ID',
    });
  });

  it('joins email addresses and names a bad one', () => {
    expect(
      contactPointFromForm({ ...emptyForm('email'), name: 'e', addresses: 'a@x.org, b@y.org\nc@z.org' }).settings
    ).toEqual({
      addresses: 'a@x.org;b@y.org;c@z.org',
    });
    expect(formProblems({ ...emptyForm('email'), name: 'e', addresses: 'a@x.org; nope' })).toEqual({
      addresses: 'Not an email address: nope',
    });
  });

  it('keeps settings it does not manage and redacted secrets on edit', () => {
    const form = formFromContactPoint({
      uid: 'u1',
      name: 'shipwatch-slack',
      type: 'slack',
      settings: { url: REDACTED, title: '{{ template "shipwatch.title" . }}', color: 'danger' },
    });
    expect(formProblems(form)).toEqual({});
    expect(contactPointFromForm(form)).toEqual({
      uid: 'u1',
      name: 'shipwatch-slack',
      type: 'slack',
      settings: { title: '{{ template "shipwatch.title" . }}', url: REDACTED, color: SLACK_COLOR_TEMPLATE },
      disableResolveMessage: false,
    });
    expect(settingsForTest({ url: REDACTED, title: 't' })).toEqual({ title: 't' });
  });
});
