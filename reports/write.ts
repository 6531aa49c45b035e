import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Report } from './schema.ts';
import { serialiseReport } from './json.ts';
import { renderJUnit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { renderHtml } from './html.ts';

/** Where one report's formats were written. With several reports they share one HTML grid. */
export interface ReportPaths {
  json: string;
  junit: string;
  markdown: string;
  html: string;
}

/** Write to a sibling temporary file, then rename: a reader (or CI upload) never sees half a file. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes report.json, junit.xml, summary.md and report.html into outDir (created if needed).
 * Given several reports, the per-target formats get a 1-based suffix (report-1.json,
 * junit-1.xml, summary-1.md, in the order given) and report.html shows them all side by side.
 */
export async function writeReports(report: Report, outDir: string, htmlSections?: readonly string[]): Promise<ReportPaths>;
export async function writeReports(reports: readonly Report[], outDir: string, htmlSections?: readonly string[]): Promise<ReportPaths[]>;
export async function writeReports(input: Report | readonly Report[], outDir: string, htmlSections: readonly string[] = []): Promise<ReportPaths | ReportPaths[]> {
  const reports: readonly Report[] = Array.isArray(input) ? input : [input as Report];
  if (!reports.length) throw new Error('writeReports needs at least one report');
  await mkdir(outDir, { recursive: true });
  const html = join(outDir, 'report.html');
  await writeAtomically(html, renderHtml(reports, htmlSections));
  const suffix = (i: number) => (reports.length === 1 ? '' : `-${i + 1}`);
  const written = await Promise.all(
    reports.map(async (report, i): Promise<ReportPaths> => {
      const paths = {
        json: join(outDir, `report${suffix(i)}.json`),
        junit: join(outDir, `junit${suffix(i)}.xml`),
        markdown: join(outDir, `summary${suffix(i)}.md`),
        html,
      };
      await writeAtomically(paths.json, serialiseReport(report));
      await writeAtomically(paths.junit, renderJUnit(report));
      await writeAtomically(paths.markdown, renderMarkdown(report));
      return paths;
    }),
  );
  return Array.isArray(input) ? written : written[0]!;
}
