/** Scheduled: raises events for secrets near expiry or past their rotation period (issue #5, in progress). */
export async function handler(): Promise<{ raised: number }> {
  return { raised: 0 };
}
