import { type Figures, meets, type Suite, type Table } from './suite.ts';

/** How a run is shown: a readable table per suite and the targets, or one flat JSON object. */

export interface RunReport {
  suites: Suite[];
  figures: Figures;
  tables: Table[];
  seconds: number;
  settings: string;
}

export function formatTable(table: Table): string {
  const widths: number[] = [];
  for (const row of table.rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  const [header, ...body] = table.rows;
  // Columns of figures are right-aligned, columns of words left-aligned.
  const numeric = widths.map((_, i) => body.every((row) => /^[\d.,×%≤≥<> —-]*$/.test(row[i] ?? '')));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [table.title, ''];
  if (header) out.push(line(header), widths.map((width) => '-'.repeat(width)).join('  '));
  out.push(...body.map(line));
  if (table.notes?.length) out.push('', ...table.notes.map((note) => `  ${note}`));
  return out.join('\n');
}

export function formatTargets(suites: Suite[], figures: Figures): Table {
  const rows = [['figure', 'value', 'target', 'result', 'meaning']];
  for (const target of suites.flatMap((suite) => suite.targets)) {
    const value = figures[target.figure];
    const result = value === undefined ? 'n/a' : meets(target, value) ? 'PASS' : 'MISS';
    rows.push([
      target.figure,
      value === undefined ? '—' : String(value),
      `${target.op.replace('<=', '≤').replace('>=', '≥')} ${target.value}`,
      result,
      target.description,
    ]);
  }
  return { title: 'Targets (informational: a MISS does not fail the run)', rows };
}

export function formatReport(report: RunReport): string {
  const sections = [
    `Steward bench — ${report.settings}`,
    ...report.tables.map(formatTable),
    formatTable(formatTargets(report.suites, report.figures)),
    `Figures (\`npm run bench -- --json\` prints only this object):\n${JSON.stringify(report.figures, null, 2)}`,
    `Measured in ${report.seconds.toFixed(1)} s.`,
  ];
  return `${sections.filter(Boolean).join('\n\n')}\n`;
}

export function formatJson(figures: Figures): string {
  return `${JSON.stringify(figures)}\n`;
}
