import { z } from 'zod';
import { Report, REPORT_SCHEMA_ID, REPORT_SCHEMA_VERSION } from './schema.ts';

/** A report file that cannot be used; the message is one line that names the file and the first problems. */
export class ReportParseError extends Error {
  override name = 'ReportParseError';
}

/** The native format: the Report value as indented JSON, one trailing newline. */
export function serialiseReport(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const MAX_ISSUES_SHOWN = 3;

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES_SHOWN).map((i) => {
    const where = i.path.length ? i.path.map(String).join('.') : '(top level)';
    return `${where}: ${oneLine(i.message)}`;
  });
  const more = issues.length > MAX_ISSUES_SHOWN ? ` (and ${issues.length - MAX_ISSUES_SHOWN} more)` : '';
  return shown.join('; ') + more;
}

/**
 * Reads a native report. Checks identity and version before the full schema so that a file
 * from another tool or a newer sockproof gets a message about that, not a list of field errors.
 * `source` (a file name) prefixes the message.
 */
export function parseReport(text: string, source = 'report'): Report {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ReportParseError(`${source}: not JSON (${oneLine((err as Error).message)})`);
  }
  if (typeof raw !== 'object' || raw === null || (raw as { schema?: unknown }).schema !== REPORT_SCHEMA_ID) {
    throw new ReportParseError(`${source}: not a sockproof report (expected "schema": "${REPORT_SCHEMA_ID}")`);
  }
  const version = (raw as { schemaVersion?: unknown }).schemaVersion;
  if (version !== REPORT_SCHEMA_VERSION) {
    throw new ReportParseError(
      `${source}: report schema version ${JSON.stringify(version)} is not supported (this sockproof reads version ${REPORT_SCHEMA_VERSION})`,
    );
  }
  const parsed = Report.safeParse(raw);
  if (!parsed.success) throw new ReportParseError(`${source}: invalid report: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}
