import { css } from '@emotion/css';
import { useLocation } from 'react-router-dom';
import type { GrafanaTheme2 } from '@grafana/data';
import type { PluginPageProps } from '@grafana/runtime';
import { Stack, Text, useStyles2 } from '@grafana/ui';
import { plugin } from '../../../src/module';

/**
 * Grafana's page chrome for a plugin page, reduced to what the app uses: the title (pageNav, or
 * the plugin.json include the URL belongs to, as Grafana's nav does), subtitle, info and actions
 * above the page. The runtime's own fallback renders the children only, which would hide actions
 * such as "New rule file".
 */
export function HarnessPluginPage({ pageNav, subTitle, actions, info, renderTitle, children }: PluginPageProps) {
  const styles = useStyles2(getStyles);
  const { pathname } = useLocation();
  const include = plugin.meta?.includes?.find((i) => i.path && pathname.startsWith(i.path.replace('%PLUGIN_ID%', plugin.meta.id)));
  const title = pageNav?.text ?? include?.name ?? plugin.meta?.name ?? '';
  return (
    <div className={styles.page}>
      <header className={styles.header}>
        <Stack justifyContent="space-between" alignItems="flex-start" wrap="wrap">
          <Stack direction="column" gap={1}>
            {renderTitle ? renderTitle(title) : <Text element="h1">{title}</Text>}
            {subTitle && <div>{subTitle}</div>}
            {info?.map((i) => (
              <span key={i.label}>
                {i.label}: {i.value}
              </span>
            ))}
          </Stack>
          {actions && <Stack gap={1}>{actions}</Stack>}
        </Stack>
      </header>
      {children}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ padding: theme.spacing(2, 3) }),
  header: css({ marginBottom: theme.spacing(2) }),
});
