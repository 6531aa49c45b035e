export const REPO_ROOT: string;
export const DIST_DIR: string;
export const MANIFEST_FILE: string;
/** [size, mtimeMs] of a file, or undefined when it is gone. */
export function fingerprint(path: string): [number, number] | undefined;
/** True when a manifest exists and every source it names is as it was at build time. */
export function distIsFresh(root?: string, manifestFile?: string): boolean;
