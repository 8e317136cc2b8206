// The YAML each rule was written as, for people reading rules (the plugin's rule view, the API):
// the rule's item of its file's `rules` list, as it stands in the file, without the list's indent.

import { isMap, isSeq, parseDocument } from 'yaml';

/** Rule id → its YAML text, for every rule of one file that has a numeric id. */
export function ruleTexts(text: string): Map<number, string> {
  const out = new Map<number, string>();
  const doc = parseDocument(text, { prettyErrors: false });
  const rules = doc.get('rules', true);
  if (!isSeq(rules)) return out;
  for (const item of rules.items) {
    if (!isMap(item) || !item.range) continue;
    const id = item.get('id');
    if (typeof id !== 'number' || out.has(id)) continue;
    const [start, end] = item.range;
    const indent = start - (text.lastIndexOf('\n', start - 1) + 1);
    const lines = text.slice(start, end).trimEnd().split('\n');
    // Lines after the first carry the list item's indent; a line indented less (a comment) keeps what it has.
    out.set(id, lines.map((l, i) => (i === 0 ? l : l.slice(Math.min(indent, l.length - l.trimStart().length)))).join('\n'));
  }
  return out;
}

/** ruleTexts per file, computed again only when a file's text changed. */
export class RuleTextCache {
  private readonly byFile = new Map<string, { text: string; rules: Map<number, string> }>();

  get(file: { name: string; text: string }, id: number): string | undefined {
    let entry = this.byFile.get(file.name);
    if (!entry || entry.text !== file.text) {
      entry = { text: file.text, rules: ruleTexts(file.text) };
      this.byFile.set(file.name, entry);
    }
    return entry.rules.get(id);
  }

  /** Forgets files that are no longer loaded. */
  retain(names: Set<string>): void {
    for (const name of this.byFile.keys()) if (!names.has(name)) this.byFile.delete(name);
  }
}
