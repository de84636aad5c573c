/**
 * Workflow time. Bakes and approval polls are waits until an ISO timestamp the tasks compute;
 * locally STEWARD_TIME_SCALE shrinks them (0.01 turns a 5-minute bake into 3 s) with the same
 * state machine definition. On AWS the scale is 1.
 */
export function timeScale(): number {
  const scale = Number(process.env.STEWARD_TIME_SCALE ?? '1');
  return Number.isFinite(scale) && scale > 0 ? scale : 1;
}

/** The moment `seconds` of workflow time from now have passed. */
export function after(seconds: number, now = Date.now()): string {
  return new Date(now + seconds * 1000 * timeScale()).toISOString();
}
