// Turns diff reports into change logs people read (Markdown) and programs read (JSON): grouped into breaking
// changes, deprecations, additions and the rest, then by operation, in the order the diff reported them.

import type { Change, DiffReport } from './diff.ts';
import { OpenApiDiffError } from './errors.ts';
import { getRule } from './rules.ts';

/** How a change counts for a version's change log. */
export type ChangeClass = 'breaking' | 'additive' | 'fix';
export type Section = 'breaking' | 'deprecations' | 'additions' | 'other';

export interface ChangelogEntry {
  /** The version the report leads to, e.g. '2.0.0'; omitted for a single unnamed report. */
  version?: string;
  report: DiffReport;
}

export interface ChangelogJson {
  versions: Array<{
    version: string | null;
    compatible: boolean;
    requiredBump: DiffReport['requiredBump'];
    summary: DiffReport['summary'];
    sections: Record<Section, Array<Change & { class: ChangeClass }>>;
  }>;
}

const SECTIONS: Array<[Section, string]> = [
  ['breaking', 'Breaking changes'],
  ['deprecations', 'Deprecations'],
  ['additions', 'Additions'],
  ['other', 'Other changes'],
];

/** Errors break clients; additions and deprecations are additive (a minor release); the rest is a fix. */
export function classifyChange(change: Pick<Change, 'id' | 'level'>): ChangeClass {
  if (change.level === 'error') return 'breaking';
  return getRule(change.id).kind === 'change' ? 'fix' : 'additive';
}

export function sectionOf(change: Pick<Change, 'id' | 'level'>): Section {
  if (change.level === 'error') return 'breaking';
  const kind = getRule(change.id).kind;
  return kind === 'deprecation' ? 'deprecations' : kind === 'addition' ? 'additions' : 'other';
}

function entriesOf(input: ChangelogEntry | ChangelogEntry[]): ChangelogEntry[] {
  const entries = Array.isArray(input) ? input : [input];
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null || !Array.isArray(entry.report?.changes)) {
      throw new OpenApiDiffError('each change log entry needs a report from diffOpenApi');
    }
  }
  return entries;
}

export function renderChangelogJson(input: ChangelogEntry | ChangelogEntry[]): ChangelogJson {
  return {
    versions: entriesOf(input).map(({ version, report }) => {
      const sections: ChangelogJson['versions'][number]['sections'] = { breaking: [], deprecations: [], additions: [], other: [] };
      for (const change of report.changes) sections[sectionOf(change)].push({ ...change, class: classifyChange(change) });
      return {
        version: version ?? null,
        compatible: report.compatible,
        requiredBump: report.requiredBump,
        summary: report.summary,
        sections,
      };
    }),
  };
}

export function renderChangelogMarkdown(input: ChangelogEntry | ChangelogEntry[], options: { title?: string } = {}): string {
  const entries = entriesOf(input);
  const lines: string[] = [];
  if (options.title) lines.push(`# ${escapeMarkdown(options.title)}`, '');
  const named = entries.length > 1 || entries.some((entry) => entry.version !== undefined);
  for (const { version, report } of entries) {
    if (named) lines.push(`## ${escapeMarkdown(version ?? 'Unreleased')}`, '');
    const { error, warning, info } = report.summary;
    lines.push(
      `Requires a ${report.requiredBump} release: ${error} breaking, ${warning} warning${warning === 1 ? '' : 's'}, ${info} other.`,
      '',
    );
    if (report.changes.length === 0) {
      lines.push('No changes.', '');
      continue;
    }
    for (const [section, heading] of SECTIONS) {
      const changes = report.changes.filter((change) => sectionOf(change) === section);
      if (changes.length === 0) continue;
      lines.push(`### ${heading}`, '');
      const byOperation = new Map<string, Change[]>();
      for (const change of changes) {
        const key = change.operation ?? 'Whole API';
        byOperation.set(key, [...(byOperation.get(key) ?? []), change]);
      }
      for (const [operation, group] of byOperation) {
        lines.push(`#### ${escapeMarkdown(operation)}`, '');
        for (const change of group) {
          const warning = change.level === 'warning' ? '**Warning:** ' : '';
          lines.push(`- ${warning}${escapeMarkdown(change.text)} (\`${change.id}\`)`);
        }
        lines.push('');
      }
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Texts quote names and values from the documents: keep them from turning into Markdown. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (character) => `\\${character}`);
}
