/** The servers a bench run can compare, baseline first (every ratio is taken to it), with their names in output. */
export const TARGET_IDS = ['bare', 'embedded', 'postgres', 'cluster'] as const;
export type TargetId = (typeof TARGET_IDS)[number];

export const TARGET_LABELS: Readonly<Record<TargetId, string>> = {
  bare: 'bare Socket.IO',
  embedded: 'reference, embedded store',
  postgres: 'reference, PostgreSQL',
  cluster: 'reference, 2 nodes (Redis + PostgreSQL)',
};
