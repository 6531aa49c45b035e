#!/usr/bin/env node
// Entry point. Runs the compiled dist/ while it matches the sources (built by `npm install`);
// otherwise, or with SOCKPROOF_FROM_SOURCE=1, compiles the TypeScript sources on the fly with tsx.
import { distIsFresh } from './dist-manifest.mjs';

if (process.env.SOCKPROOF_FROM_SOURCE !== '1' && distIsFresh()) {
  await import('../dist/sockproof.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
