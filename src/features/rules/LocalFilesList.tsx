import { Button, Card, Stack } from '@grafana/ui';
import type { LocalRuleFile } from '../../api/types';
import { OVERRIDES_FILE } from './overrideFile';

interface Props {
  files: LocalRuleFile[];
  onEdit: (file: LocalRuleFile) => void;
}

function summary(file: LocalRuleFile): string {
  const lines = file.yaml.split('\n').length;
  return file.name === OVERRIDES_FILE ? `Overrides written by this page · ${lines} lines` : `${lines} lines`;
}

/** The files of the collector's local rules directory (rules.local_dir). */
export function LocalFilesList({ files, onEdit }: Props) {
  return (
    <Stack direction="column" gap={1}>
      {files.map((f) => (
        <Card key={f.name} noMargin>
          <Card.Heading>{f.name}</Card.Heading>
          <Card.Meta>{[summary(f)]}</Card.Meta>
          <Card.Actions>
            <Button size="sm" icon="pen" onClick={() => onEdit(f)}>
              Edit
            </Button>
          </Card.Actions>
        </Card>
      ))}
    </Stack>
  );
}
