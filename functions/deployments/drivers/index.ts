import type { TrafficConfig } from '#domain/deployment';
import { httpDriver } from '#deployments/drivers/http-driver';
import { lambdaAliasDriver } from '#deployments/drivers/lambda-alias-driver';
import { noneDriver } from '#deployments/drivers/none-driver';
import type { TrafficDriver } from '#deployments/traffic-driver';

const DRIVERS: Record<TrafficConfig['driver'], TrafficDriver> = {
  none: noneDriver,
  http: httpDriver,
  'lambda-alias': lambdaAliasDriver,
};

export function trafficDriverFor(traffic: TrafficConfig): TrafficDriver {
  return DRIVERS[traffic.driver];
}
