import { parseArgs } from 'node:util';
import { startRuntime } from '#local/runtime';

/** `npm start`: the control plane on this machine, with no AWS account and no Docker. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      memory: { type: 'boolean', default: false },
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  const runtime = await startRuntime({
    memory: values.memory,
    port: Number(values.port ?? process.env.PORT ?? 3000),
    host: values.host ?? process.env.HOST,
    dataDir: values['data-dir'] ?? process.env.STEWARD_DATA_DIR,
    adminKey: process.env.STEWARD_ADMIN_KEY || undefined,
  });
  const keyNote = {
    given: 'from STEWARD_ADMIN_KEY',
    stored: `kept in ${runtime.dataDir}/admin-key`,
    generated: runtime.dataDir ? `made now, kept in ${runtime.dataDir}/admin-key` : 'made now, kept in memory only',
  }[runtime.adminKeySource];
  console.log(`
  Steward is running (local runtime)

    API        ${runtime.url}/v1
    Docs       ${runtime.url}/docs
    OpenAPI    ${runtime.url}/openapi.json
    Data       ${runtime.dataDir ? `${runtime.dataDir}/ (kept across restarts)` : 'in memory (--memory): nothing is kept'}
    Outbound   checks and webhooks may reach public addresses and ${process.env.STEWARD_OUTBOUND_ALLOW === undefined ? 'loopback (127.0.0.0/8, ::1)' : `STEWARD_OUTBOUND_ALLOW=${process.env.STEWARD_OUTBOUND_ALLOW}`}; set STEWARD_OUTBOUND_ALLOW=cidr,...|loopback|none to change it
    Email      notifications for subscriptions go to ${runtime.mailTarget}${process.env.STEWARD_SMTP_URL ? '' : ' (.eml files; set STEWARD_SMTP_URL=smtp://host:port to send them)'}
    Admin key  ${runtime.adminKey}
               (${keyNote})

  Try:  curl -H "Authorization: Bearer ${runtime.adminKey}" ${runtime.url}/v1/services
`);
  const stop = async () => {
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error(`Steward could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
