/**
 * What other features may use of alerts's stored data. A feature never imports another
 * feature's store directly (docs/architecture.md), so this is the whole of that surface.
 */
export { listOpenServiceAlerts } from './alerts.store.ts';
export {
  openSunsetAlerts,
  type SunsetAlert,
  sunsetAlertEffects,
  sunsetAlertResolveEffects,
} from './source-alerts.ts';
export { alertSubject } from './alerts.domain.ts';
