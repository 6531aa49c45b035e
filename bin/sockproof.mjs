#!/usr/bin/env node
// Entry point. An installed package ships only the compiled dist/ (no sources): it runs that. A
// checkout runs dist/ while it matches the sources (built by `npm install`); otherwise, or with
// SOCKPROOF_FROM_SOURCE=1, it compiles the TypeScript sources on the fly with tsx.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { distIsFresh, REPO_ROOT } from './dist-manifest.mjs';

const isCheckout = existsSync(join(REPO_ROOT, 'cli/main.ts'));

if (!isCheckout || (process.env.SOCKPROOF_FROM_SOURCE !== '1' && distIsFresh())) {
  await import('../dist/sockproof.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
