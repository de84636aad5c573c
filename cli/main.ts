import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { loadCredentials, StewardClient, saveCredentials } from './client.ts';
import { CliError, EXIT, type ExitCode } from './exit-codes.ts';
import { exitCodeFor, openServiceStream, watchDeployment } from './watch.ts';

/**
 * `npx steward`: the API for people and pipelines. Every command takes `--json` (the API's answer
 * as JSON on stdout, nothing else there); progress goes to stderr; exit codes are in exit-codes.ts.
 */

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const enc = encodeURIComponent;

export async function run(
  argv: string[],
  io: Io = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const program = new Command('steward')
    .description('Steward from the command line: services, versions, deployments, configuration and alerts.')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();

  const json = new Option('--json', 'print the result as JSON (for scripts)');
  const print = (options: { json?: boolean }, value: unknown, human: () => string) =>
    io.out(`${options.json ? JSON.stringify(value, null, 2) : human()}\n`);
  const client = () => new StewardClient(loadCredentials());

  program
    .command('login')
    .description('check a URL and API key, and keep them (mode 0600) for later commands; the key is read from stdin unless --key')
    .requiredOption('--url <url>', "Steward's base URL, e.g. http://localhost:3000 or the stack's ApiUrl")
    .option('--key <key>', 'the API key (prefer stdin: a key on the command line stays in shell history)')
    .addOption(json)
    .action(async (options: { url: string; key?: string; json?: boolean }) => {
      const key = (options.key ?? readFileSync(0, 'utf8')).trim();
      if (!key) throw new CliError('No API key: pipe it on stdin or give --key.', EXIT.usage);
      const credentials = { url: options.url.replace(/\/+$/, ''), key };
      const info = (await new StewardClient(credentials).get('/system/info')).body;
      const file = saveCredentials(credentials);
      print(
        options,
        { url: credentials.url, configFile: file, steward: info },
        () => `Logged in to ${credentials.url} (Steward ${info.version}, ${info.stage}); saved in ${file}.`,
      );
    });

  const ls = (name: string, description: string) => program.command(name).description(description).command('ls');

  ls('services', 'services')
    .description('list services')
    .addOption(json)
    .action(async (options: { json?: boolean }) => {
      const items = await client().all('/v1/services');
      print(options, items, () => table(items, ['name', 'kind', 'owner', 'description']));
    });

  ls('versions', "a service's versions")
    .description("list a service's versions")
    .argument('<service>')
    .addOption(json)
    .action(async (service: string, options: { json?: boolean }) => {
      const items = await client().all(`/v1/services/${enc(service)}/versions`);
      print(options, items, () => table(items, ['version', 'status', 'releasedAt', 'createdAt']));
    });

  ls('deployments', "a service's deployments")
    .description("list a service's deployments, newest first")
    .argument('<service>')
    .option('--env <environment>')
    .option('--status <status>')
    .addOption(json)
    .action(async (service: string, options: { env?: string; status?: string; json?: boolean }) => {
      const items = await client().all(`/v1/services/${enc(service)}/deployments`, { environment: options.env, status: options.status });
      print(options, items, () =>
        table(
          items.map((item) => ({ ...item, weights: weightsText(item.weights) })),
          ['id', 'environment', 'version', 'status', 'strategy', 'weights', 'createdAt'],
        ),
      );
    });

  const alerts = program.command('alerts').description('alerts');
  alerts
    .command('ls')
    .description('list alerts')
    .option('--status <status>', 'firing, acknowledged, resolved or pending')
    .option('--service <service>')
    .option('--severity <severity>')
    .addOption(json)
    .action(async (options: { status?: string; service?: string; severity?: string; json?: boolean }) => {
      const items = await client().all('/v1/alerts', { status: options.status, service: options.service, severity: options.severity });
      print(options, items, () => table(items, ['id', 'severity', 'status', 'service', 'summary']));
    });
  alerts
    .command('ack')
    .description('acknowledge alerts')
    .argument('<ids...>')
    .addOption(json)
    .action(async (ids: string[], options: { json?: boolean }) => {
      const { body } = await client().request('POST', '/v1/alerts/acknowledge-batch', { ids });
      print(options, body, () =>
        body.results.map((result: { id: string; outcome: string }) => `${result.id}  ${result.outcome}`).join('\n'),
      );
      if (body.results.some((result: { outcome: string }) => result.outcome === 'not_found')) exitCode = EXIT.refused;
    });

  program
    .command('release')
    .description('release a draft version')
    .argument('<service>')
    .argument('<version>')
    .addOption(json)
    .action(async (service: string, version: string, options: { json?: boolean }) => {
      const { body } = await client().request('POST', `/v1/services/${enc(service)}/versions/${enc(version)}/release`);
      print(options, body, () => `${service} ${body.version} is ${body.status}.`);
    });

  const waitOptions = (command: Command) =>
    command
      .option('--wait', 'follow the deployment live until it ends; exit non-zero unless it succeeds')
      .option('--timeout <minutes>', 'give up waiting after this long (exit 8)', '60');

  waitOptions(
    program
      .command('deploy')
      .description('start a deployment of a released version')
      .argument('<service>')
      .argument('<version>')
      .requiredOption('--env <environment>', 'the environment, e.g. prod')
      .addOption(
        new Option('--strategy <type>', 'how traffic moves').choices(['canary', 'linear', 'blue-green', 'all-at-once']).default('canary'),
      )
      .option('--preset <name>', 'a CodeDeploy-style preset instead, e.g. Canary10Percent5Minutes')
      .option('--percent <n>', "canary: the new version's share during the bake; linear: each increment", '10')
      .option('--bake <minutes>', 'canary: how long to bake the canary step', '5')
      .option('--interval <minutes>', 'linear: minutes between increments', '5')
      .option('--reason <text>', 'why, for the audit trail')
      .option('--force', 'deploy a deprecated version')
      .addOption(json),
  ).action(async (service: string, version: string, options: Record<string, any>) => {
    const api = client();
    const strategy = options.preset
      ? { preset: options.preset }
      : options.strategy === 'canary'
        ? { type: 'canary', percent: Number(options.percent), bakeMinutes: Number(options.bake) }
        : options.strategy === 'linear'
          ? { type: 'linear', percent: Number(options.percent), intervalMinutes: Number(options.interval) }
          : { type: options.strategy };
    const body = {
      environment: options.env,
      version,
      strategy,
      ...(options.reason ? { reason: options.reason } : {}),
      ...(options.force ? { force: true } : {}),
    };
    // The stream is opened first, so that no event of the deployment is missed.
    const stream = options.wait ? await openServiceStream(api, service) : undefined;
    try {
      const started = await api.request('POST', `/v1/services/${enc(service)}/deployments`, body);
      exitCode = await follow(api, service, started.body, options, stream !== undefined);
    } finally {
      stream?.close();
    }

    async function follow(api: StewardClient, svc: string, deployment: any, opts: Record<string, any>, live: boolean): Promise<ExitCode> {
      if (!opts.wait) {
        print(
          opts,
          deployment,
          () => `Deployment ${deployment.id} of ${svc} ${deployment.version} to ${deployment.environment} is ${deployment.status}.`,
        );
        return EXIT.ok;
      }
      io.err(
        `Deployment ${deployment.id}: ${svc} ${deployment.fromVersion ?? '(none)'} → ${deployment.version} in ${deployment.environment} (${deployment.strategy}; ${live ? 'live' : 'polling'})\n`,
      );
      const final = await watchDeployment(api, svc, deployment.id, stream, {
        timeoutMs: Number(opts.timeout) * 60_000,
        onEvent: (event) =>
          io.err(
            `  ${event.type.replace('deployment.', '').padEnd(17)} ${event.message}${event.weights ? `  [${weightsText(event.weights)}]` : ''}\n`,
          ),
      });
      print(
        opts,
        final,
        () =>
          `Deployment ${final.id} ${final.status}${final.failureReason ? `: ${final.failureReason}` : ''}; weights ${weightsText(final.weights)}.`,
      );
      return exitCodeFor(final.status);
    }
  });

  program
    .command('rollback')
    .description('roll a deployment back to the previous weights')
    .argument('<service>')
    .argument('<deployment-id>')
    .option('--reason <text>')
    .addOption(json)
    .action(async (service: string, id: string, options: { reason?: string; json?: boolean }) => {
      const { body } = await client().request(
        'POST',
        `/v1/services/${enc(service)}/deployments/${enc(id)}/rollback`,
        options.reason ? { reason: options.reason } : {},
      );
      print(options, body, () => `Deployment ${body.id} ${body.status}; weights ${weightsText(body.weights)}.`);
    });

  waitOptions(
    program
      .command('promote')
      .description('give a version all traffic at once')
      .argument('<service>')
      .argument('<version>')
      .requiredOption('--env <environment>')
      .addOption(json),
  ).action(async (service: string, version: string, options: Record<string, any>) => {
    const api = client();
    const stream = options.wait ? await openServiceStream(api, service) : undefined;
    try {
      const { body } = await api.request('POST', `/v1/services/${enc(service)}/environments/${enc(options.env)}/promote`, { version });
      if (!options.wait) {
        print(options, body, () => `Deployment ${body.id} promotes ${service} ${version} in ${options.env}: ${body.status}.`);
        return;
      }
      const final = await watchDeployment(api, service, body.id, stream, {
        timeoutMs: Number(options.timeout) * 60_000,
        onEvent: () => undefined,
      });
      print(options, final, () => `Deployment ${final.id} ${final.status}; weights ${weightsText(final.weights)}.`);
      exitCode = exitCodeFor(final.status);
    } finally {
      stream?.close();
    }
  });

  const config = program.command('config').description("a service's configuration per environment");
  config
    .command('get')
    .description('the resolved configuration of an environment (or, with --raw, the layer itself)')
    .argument('<service>')
    .requiredOption('--env <environment>', 'an environment, or base')
    .option('--raw', 'the layer as written, not resolved')
    .addOption(json)
    .action(async (service: string, options: { env: string; raw?: boolean; json?: boolean }) => {
      const { body } = await client().get(`/v1/services/${enc(service)}/configs/${enc(options.env)}`, options.raw ? { raw: 'true' } : {});
      io.out(`${JSON.stringify(body, null, 2)}\n`);
    });
  config
    .command('set')
    .description('write a new version of a layer from a JSON file (- for stdin)')
    .argument('<service>')
    .requiredOption('--env <environment>', 'an environment, or base')
    .requiredOption('--file <file>', 'the values, as JSON')
    .option('--extends <layer>', 'the layer this one is merged over')
    .option('--message <text>', 'why, for the history')
    .addOption(json)
    .action(async (service: string, options: { env: string; file: string; extends?: string; message?: string; json?: boolean }) => {
      let values: unknown;
      try {
        values = JSON.parse(readFileSync(options.file === '-' ? 0 : options.file, 'utf8'));
      } catch (error) {
        throw new CliError(`${options.file} is not readable JSON: ${(error as Error).message}`, EXIT.usage);
      }
      const body = {
        values,
        ...(options.extends ? { extends: options.extends } : {}),
        ...(options.message ? { message: options.message } : {}),
      };
      const result = await client().request('PUT', `/v1/services/${enc(service)}/configs/${enc(options.env)}`, body);
      print(
        options,
        result.body,
        () => `${service} ${options.env}: version ${result.body.version}${result.status === 201 ? ' (first)' : ''}.`,
      );
    });
  config
    .command('diff')
    .description('the JSON Patch from one version of a layer to another (default: the latest)')
    .argument('<service>')
    .requiredOption('--env <environment>')
    .requiredOption('--from <version>')
    .option('--to <version>')
    .addOption(json)
    .action(async (service: string, options: { env: string; from: string; to?: string; json?: boolean }) => {
      const { body } = await client().get(`/v1/services/${enc(service)}/configs/${enc(options.env)}/diff`, {
        from: options.from,
        to: options.to,
      });
      print(
        options,
        body,
        () =>
          (body.patch ?? body.operations ?? [])
            .map(
              (op: { op: string; path: string; value?: unknown }) =>
                `${op.op.padEnd(8)} ${op.path}${op.value === undefined ? '' : ` = ${JSON.stringify(op.value)}`}`,
            )
            .join('\n') || 'no changes',
      );
    });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      io.err(`steward: ${error.message}\n`);
      if (error.body !== undefined && argv.includes('--json')) io.out(`${JSON.stringify(error.body, null, 2)}\n`);
      return error.exitCode;
    }
    io.err(`steward: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.error;
  }
}

function weightsText(weights: Record<string, number> | undefined | null): string {
  return Object.entries(weights ?? {})
    .map(([version, weight]) => `${version} ${weight}%`)
    .join(', ');
}

/** A plain text table of the given columns. */
function table(items: Array<Record<string, any>>, columns: string[]): string {
  if (items.length === 0) return '(none)';
  const cell = (value: unknown) =>
    value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const rows = [columns.map((column) => column.toUpperCase()), ...items.map((item) => columns.map((column) => cell(item[column])))];
  const widths = columns.map((_, index) => Math.min(60, Math.max(...rows.map((row) => (row[index] ?? '').length))));
  return rows
    .map((row) =>
      row
        .map((value, index) => value.slice(0, 60).padEnd(widths[index] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
