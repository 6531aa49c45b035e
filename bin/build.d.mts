/** Compiles the sources into dist/; with ifStale, only when dist/ no longer matches them. */
export function buildDist(opts?: { ifStale?: boolean }): Promise<{ built: boolean; files?: number }>;
