import { documentClient } from '../../functions/kernel/store/client.ts';

const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

/** Thrown in place of a write once the simulated process has "died". */
export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}

/**
 * Simulates a process that dies after N table writes: every write after the first N fails, as
 * it would if the Lambda had stopped, until `revive()`. Installed as AWS SDK middleware on the
 * one DocumentClient the code under test uses, so nothing in the code under test knows.
 */
export function installCrashSwitch() {
  let allowedWrites = Number.POSITIVE_INFINITY;
  let writes = 0;
  let refusedPrefix: string | undefined;
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (WRITE_COMMANDS.has(context.commandName ?? '')) {
        if (writes >= allowedWrites) throw new SimulatedCrash(`write ${writes + 1} after the crash`);
        if (refusedPrefix !== undefined && partitionKeyOf(args.input).startsWith(refusedPrefix)) {
          throw new SimulatedCrash(`write to ${refusedPrefix}… after the crash`);
        }
        writes++;
      }
      return next(args);
    },
    { step: 'initialize', name: 'simulatedCrash', override: true },
  );
  return {
    crashAfterWrites(count: number) {
      writes = 0;
      allowedWrites = count;
    },
    /**
     * Fails every write to a partition starting with `prefix` (e.g. `INCIDENTS#`), as if the
     * process died just before a step that writes there, whatever other writes run meanwhile.
     */
    crashBeforeWritesTo(prefix: string) {
      refusedPrefix = prefix;
    },
    /** Counts writes without failing any, to learn how many a command makes. */
    countWrites() {
      writes = 0;
      allowedWrites = Number.POSITIVE_INFINITY;
    },
    get writes() {
      return writes;
    },
    revive() {
      allowedWrites = Number.POSITIVE_INFINITY;
      refusedPrefix = undefined;
    },
  };
}

/** The PK a write names, marshalled (`{ S: ... }`) or not. */
function partitionKeyOf(input: unknown): string {
  const request = input as { Item?: Record<string, unknown>; Key?: Record<string, unknown> } | undefined;
  const pk = request?.Item?.PK ?? request?.Key?.PK;
  if (typeof pk === 'string') return pk;
  const marshalled = (pk as { S?: unknown } | undefined)?.S;
  return typeof marshalled === 'string' ? marshalled : '';
}
