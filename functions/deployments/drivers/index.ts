import type { TrafficConfig } from '../deployment.domain.ts';
import { httpDriver } from './http-driver.ts';
import { lambdaAliasDriver } from './lambda-alias-driver.ts';
import { noneDriver } from './none-driver.ts';
import type { TrafficDriver } from '../traffic-driver.ts';

const DRIVERS: Record<TrafficConfig['driver'], TrafficDriver> = {
  none: noneDriver,
  http: httpDriver,
  'lambda-alias': lambdaAliasDriver,
};

export function trafficDriverFor(traffic: TrafficConfig): TrafficDriver {
  return DRIVERS[traffic.driver];
}
