#!/usr/bin/env node
// Entry point: registers the TypeScript loader, then hands over to the CLI.
// Shipping sources run through tsx keeps one artefact for dev, tests and production.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
