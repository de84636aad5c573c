import * as z from 'zod';
import { defineContract } from '#kernel/http/operation';

const tag = 'System';
const group = 'system';

/** The web console's files: plain HTML, CSS and ES modules from the project's console/ folder. */
export const CONSOLE_FILES = ['app.js', 'app.css'] as const;

export const getConsole = defineContract({
  operationId: 'getConsole',
  group,
  tag,
  method: 'GET',
  path: '/console',
  summary: 'The web console, as HTML',
  description:
    'Services, deployments live from the stream (approve, cancel, roll back), health checks, alerts (acknowledge) and the audit log. Signs in with an API key or a token.',
  access: 'public',
  scope: { from: 'none' },
  responses: { 200: { description: 'An HTML page.', contentType: 'text/html', schema: z.string() } },
});

export const getConsoleFile = defineContract({
  operationId: 'getConsoleFile',
  group,
  tag,
  method: 'GET',
  path: '/console/{file}',
  summary: "The web console's script and style sheet",
  access: 'public',
  scope: { from: 'none' },
  params: z.strictObject({ file: z.enum(CONSOLE_FILES) }),
  responses: { 200: { description: 'JavaScript or CSS.', schema: z.string() }, 400: { description: 'No such file.' } },
});

export const consoleContracts = [getConsole, getConsoleFile];
