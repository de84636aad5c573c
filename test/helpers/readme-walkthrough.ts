/**
 * Reads the README's walk-through: the ```bash blocks under headings that start with
 * "Walk-through" (and the headings under those), split into steps. A step is one or more
 * commands followed by the comment lines that show what they print; those comments are its
 * claims:
 *
 * - `# HTTP/1.1 201 Created`: the status line (of a `curl -si`);
 * - `# etag: "1"` (location, etag, www-authenticate, content-type, link, allow): a header line;
 * - `"key":value` pairs in a comment shown as JSON (`# {"status":"pending", …}`): each pair whose
 *   value is a number, true, false, null or a string without an ellipsis appears as such in the
 *   output. Values written with `…` are left unchecked.
 *
 * A step that shows a 4xx (a status line, `"status":4xx`, or a message quoting `status 404`) may
 * get client errors; any other step may not. Blocks marked ```bash aws (they need an AWS account) are not run.
 */

export interface WalkthroughBlock {
  heading: string;
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
}

export interface Claims {
  status: number[];
  headers: Array<{ name: string; value: string }>;
  pairs: string[];
  allowsClientError: boolean;
}

export interface WalkthroughStep {
  heading: string;
  /** 1-based README line of the step's first command. */
  line: number;
  commands: string;
  comments: string[];
  claims: Claims;
}

const HEADING = /^(#{1,6})\s+(.*)$/;
const FENCE = /^```(.*)$/;
const CLAIMED_HEADERS = ['location', 'etag', 'www-authenticate', 'content-type', 'link', 'allow'];

/** The walk-through's shell blocks, in order. */
export function walkthroughBlocks(markdown: string): WalkthroughBlock[] {
  const lines = markdown.split('\n');
  const blocks: WalkthroughBlock[] = [];
  let walkLevel: number | null = null;
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const fence = line.match(FENCE);
    if (fence) {
      const info = (fence[1] ?? '').trim();
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !(lines[i] as string).startsWith('```'); i++) body.push(lines[i] as string);
      if (walkLevel !== null && info === 'bash') blocks.push({ heading, line: start + 1, code: body.join('\n') });
      continue;
    }
    const match = line.match(HEADING);
    if (!match) continue;
    const level = (match[1] as string).length;
    const text = (match[2] as string).trim();
    if (/^walk-through/i.test(text)) {
      if (walkLevel === null || level <= walkLevel) walkLevel = level;
    } else if (walkLevel !== null && level <= walkLevel) {
      walkLevel = null;
    }
    heading = text;
  }
  return blocks;
}

/** The walk-through's steps, in order: commands, and the comments that follow them. */
export function walkthroughSteps(markdown: string): WalkthroughStep[] {
  const steps: WalkthroughStep[] = [];
  for (const block of walkthroughBlocks(markdown)) {
    const lines = block.code.split('\n');
    let current: { line: number; commands: string[]; comments: string[] } | null = null;
    let heredoc: string | null = null;
    const flush = () => {
      if (current && current.commands.length > 0) {
        steps.push({
          heading: block.heading,
          line: current.line,
          commands: current.commands.join('\n'),
          comments: current.comments,
          claims: claimsOf(current.comments),
        });
      }
      current = null;
    };
    lines.forEach((text, index) => {
      const line = block.line + 1 + index;
      if (heredoc !== null) {
        current?.commands.push(text);
        if (text.trim() === heredoc) heredoc = null;
        return;
      }
      if (text.trim().startsWith('#')) {
        if (current) current.comments.push(text.trim());
        return;
      }
      if (text.trim() === '') return;
      if (current && current.comments.length > 0) flush();
      current ??= { line, commands: [], comments: [] };
      current.commands.push(text);
      heredoc = text.match(/<<-?\s*'?"?(\w+)'?"?/)?.[1] ?? null;
    });
    flush();
  }
  return steps;
}

/** What a step's comments say its commands print. */
export function claimsOf(comments: readonly string[]): Claims {
  const claims: Claims = { status: [], headers: [], pairs: [], allowsClientError: false };
  for (const comment of comments) {
    const text = comment.replace(/^#\s?/, '');
    const statusLine = text.match(/^HTTP\/[\d.]+ (\d{3})\b/);
    if (statusLine) {
      claims.status.push(Number(statusLine[1]));
      continue;
    }
    const header = text.match(/^([A-Za-z-]+): (.+)$/);
    if (header && CLAIMED_HEADERS.includes((header[1] as string).toLowerCase())) {
      claims.headers.push({ name: (header[1] as string).toLowerCase(), value: (header[2] as string).trim() });
      continue;
    }
    for (const pair of text.matchAll(/"([A-Za-z0-9_][\w.-]*)":\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)/g)) {
      const value = pair[2] as string;
      if (value.includes('…') || value.includes('...')) continue;
      claims.pairs.push(`"${pair[1]}":${value}`);
    }
  }
  // A 4xx the step shows: its status line, a problem's "status":4xx, or a message quoting one ("status 404").
  claims.allowsClientError =
    claims.status.some((status) => status >= 400 && status < 500) ||
    comments.some((comment) => /(?:"status":|\bstatus )4\d\d\b/.test(comment));
  return claims;
}

/** The claims the output does not bear out (empty when all hold). */
export function unmetClaims(claims: Claims, output: string): string[] {
  const unmet: string[] = [];
  for (const status of claims.status) {
    // curl -s prints a body without a final newline: the next status line may follow it on the same line.
    if (!new RegExp(`HTTP/[\\d.]+ ${status}\\b`).test(output)) unmet.push(`a status line ${status}`);
  }
  const headerLines = output.split(/\r?\n/).map((line) => line.trim().toLowerCase());
  for (const { name, value } of claims.headers) {
    if (!headerLines.includes(`${name}: ${value.toLowerCase()}`)) unmet.push(`the header ${name}: ${value}`);
  }
  for (const pair of claims.pairs) if (!output.includes(pair)) unmet.push(pair);
  return unmet;
}
