import type { TrafficDriver } from '../traffic-driver.ts';

/** Steward's routing table is the source of truth; data planes read GET .../routing. */
export const noneDriver: TrafficDriver = {
  async apply() {},
};
