/** The machine-readable half of sockproof spec 1.0 (see SPEC.md). Import from here. */
export * from './version.ts';
export * from './errors.ts';
export * from './limits.ts';
export * from './text.ts';
export * from './auth.ts';
export * from './events.ts';
export * from './http.ts';
export * from './relaxation.ts';
export * from './tokens.ts';
