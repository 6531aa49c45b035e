import type { Check, Group } from './check.ts';
import c01 from './checks/architecture/c01-endpoints.ts';
import c02 from './checks/architecture/c02-malformed-events.ts';
import c03 from './checks/architecture/c03-breakers.ts';
import c04 from './checks/architecture/c04-rate-limits.ts';
import c05 from './checks/architecture/c05-state-baseline.ts';
import c06 from './checks/architecture/c06-multi-node.ts';
import c07 from './checks/architecture/c07-handlers-validate.ts';
import c08 from './checks/architecture/c08-health-dependencies.ts';
import c09 from './checks/configuration/c09-published-limits.ts';
import c10 from './checks/configuration/c10-breaker-policy.ts';
import c11 from './checks/configuration/c11-stale-expiry.ts';
import c32 from './checks/configuration/c32-trust-proxy.ts';
import c36 from './checks/configuration/c36-config-error-on-stderr.ts';
import c41 from './checks/configuration/c41-sweep-spares-live-state.ts';
import c22 from './checks/performance/c22-heartbeat.ts';
import c23 from './checks/performance/c23-buffer-limits.ts';
import c18 from './checks/production/c18-metrics-exact.ts';
import c19 from './checks/production/c19-health.ts';
import c20 from './checks/production/c20-structured-logs.ts';
import c21 from './checks/production/c21-supervisor.ts';
import c33 from './checks/production/c33-fixtures-off.ts';
import c34 from './checks/production/c34-jwks-breaker.ts';
import c35 from './checks/configuration/c35-limit-relaxations.ts';
import p01 from './checks/protocol/p01-polling-handshake.ts';
import p02 from './checks/protocol/p02-websocket-handshake.ts';
import p03 from './checks/protocol/p03-upgrade.ts';
import p04 from './checks/protocol/p04-namespaces.ts';
import p05 from './checks/protocol/p05-acks.ts';
import p06 from './checks/protocol/p06-connection-state-recovery.ts';
import c12 from './checks/recovery/c12-reconnect-after-outage.ts';
import c13 from './checks/recovery/c13-graceful-degradation.ts';
import c14 from './checks/recovery/c14-shutdown.ts';
import c40 from './checks/recovery/c40-drain-timeout.ts';
import c37 from './checks/recovery/c37-half-open-retry-after.ts';
import c38 from './checks/recovery/c38-limits-without-redis.ts';
import s01 from './checks/rules/s01-channels.ts';
import s02 from './checks/rules/s02-messages.ts';
import s03 from './checks/rules/s03-idempotency.ts';
import s04 from './checks/rules/s04-history.ts';
import s05 from './checks/rules/s05-edit.ts';
import s06 from './checks/rules/s06-typing.ts';
import s07 from './checks/rules/s07-presence.ts';
import s08 from './checks/rules/s08-moderation.ts';
import s09 from './checks/rules/s09-token-expiry.ts';
import s10 from './checks/rules/s10-crash-durability.ts';
import s11 from './checks/rules/s11-startup.ts';
import s12 from './checks/rules/s12-http-errors.ts';
import c15 from './checks/security/c15-text-safety.ts';
import s13 from './checks/rules/s13-shared-rate-limits.ts';
import s14 from './checks/rules/s14-recovery-on-another-node.ts';
import s15 from './checks/rules/s15-concurrent-migrations.ts';
import s16 from './checks/rules/s16-lookup-cache.ts';
import s17 from './checks/rules/s17-redis-outage.ts';
import s18 from './checks/rules/s18-drain-ends-transport.ts';
import s19 from './checks/rules/s19-allowed-origins.ts';
import s20 from './checks/rules/s20-prometheus-metrics.ts';
import c16 from './checks/security/c16-input-limits.ts';
import c17 from './checks/security/c17-authentication.ts';
import c24 from './checks/security/c24-input-not-a-dependency-failure.ts';
import c25 from './checks/security/c25-no-url-password.ts';
import c27 from './checks/security/c27-recovery-bound-to-user.ts';
import c28 from './checks/security/c28-refused-recovery-gets-nothing.ts';
import c29 from './checks/security/c29-revoked-not-back.ts';
import c30 from './checks/security/c30-slow-consumer.ts';
import c31 from './checks/security/c31-in-flight-burst.ts';
import c39 from './checks/security/c39-issuer-audience.ts';
import c42 from './checks/security/c42-recovery-buffer-bounded.ts';
import { levelsFor } from './verdict.ts';
import type { Level } from '../../reports/schema.ts';

/**
 * Every check, in run order: protocol first, then the 23 crash-safe checks, then the spec rules. Checks
 * that stop the target or ban users for good (`destructive`) run after all the others, in this order.
 */
const CHECKS: readonly Check[] = [
  p01, p02, p03, p04, p05, p06,
  c01, c02, c03, c04, c05, c06, c07, c08, c09, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c27, c28, c29, c30, c31, c32, c33, c34, c35, c36, c37, c38, c39, c40, c41, c42,
  s01, s02, s03, s04, s05, s06, s07, s08, s09, s10, s11, s12, s13, s14, s15, s16, s17, s18, s19, s20,
];

export const ALL_CHECKS: readonly Check[] = [...CHECKS.filter((c) => !c.destructive), ...CHECKS.filter((c) => c.destructive)];

/** The folder under checks/ that holds each group's checks: a check's file says its group. */
export const GROUP_FOLDER: Readonly<Record<Group, string>> = {
  Architecture: 'architecture',
  Configuration: 'configuration',
  'Error recovery': 'recovery',
  Security: 'security',
  'Production readiness': 'production',
  Performance: 'performance',
  Protocol: 'protocol',
  'Spec rules': 'rules',
};

export class UnknownCheckError extends Error {
  override name = 'UnknownCheckError';
}

/** The checks --only and --level select, in run order; --only names ids (case-insensitive) or group names. */
export function selectChecks(opts: { only: readonly string[]; level: 'must' | 'should' | 'all' }, checks: readonly Check[] = ALL_CHECKS): Check[] {
  const levels: readonly Level[] = levelsFor(opts.level);
  const wanted = new Set(opts.only.map((s) => s.toUpperCase()));
  const unknown = [...wanted].filter((w) => !checks.some((c) => c.id === w || c.group.toUpperCase() === w));
  if (unknown.length > 0) throw new UnknownCheckError(`unknown check id ${unknown.join(', ')} (ids: ${checks.map((c) => c.id).join(' ')})`);
  return checks.filter((c) => levels.includes(c.level) && (wanted.size === 0 || wanted.has(c.id) || wanted.has(c.group.toUpperCase())));
}
