import { fileURLToPath } from 'node:url';

/**
 * The checkout (or installed package) sockproof runs from. Resolved here, in a file directly under a
 * top-level folder, because such a file sits at the same depth as the dist/ chunk it is bundled into
 * (bin/build.mjs refuses import.meta.url anywhere deeper).
 */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
