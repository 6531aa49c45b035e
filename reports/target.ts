import type { Report } from './schema.ts';

/** How a report's target is named in headings and columns: its self-description when it gave one, else its URL. */
export function targetLabel(report: Report): string {
  const impl = report.target.implementation;
  return impl ? `${impl.name} ${impl.version}` : report.target.url;
}
