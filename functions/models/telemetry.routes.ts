import { implement, type Operation } from '#kernel/http/operation';
import { modelAndSettings, readWindow, resolveVersion, windowOrThrow } from './models.reads.ts';
import { ingestInferences } from './telemetry.commands.ts';
import * as contracts from './telemetry.contract.ts';
import { seriesOf, summaryOf, windowView } from './telemetry.view.ts';

export const telemetryOperations: Operation[] = [
  implement(contracts.ingestInferences, async (request) => {
    const result = await ingestInferences(request.params.name, request.body.records);
    return { status: 202, body: result };
  }),

  implement(contracts.getPerformance, async (request) => {
    const { name } = request.params;
    const window = windowOrThrow(request.query);
    const [[, settings], version] = await Promise.all([
      modelAndSettings(name),
      resolveVersion(name, request.params.version, '/path/version', { remembered: true }),
    ]);
    const environment = request.query.environment ?? settings.productionEnvironment;
    const { cells, total } = await readWindow(name, version.version, environment, window);
    return {
      status: 200,
      body: {
        service: name,
        version: version.version,
        window: windowView(window, environment),
        ...summaryOf(total),
        series: seriesOf(cells),
      },
    };
  }),
];
