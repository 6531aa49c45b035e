import type { Level } from '../../reports/schema.ts';

/** Which levels --level selects. (Verdicts, their order and exit statuses: reports/verdicts.ts.) */
export function levelsFor(level: 'must' | 'should' | 'all'): readonly Level[] {
  return level === 'must' ? ['MUST'] : level === 'should' ? ['MUST', 'SHOULD'] : ['MUST', 'SHOULD', 'MAY'];
}
