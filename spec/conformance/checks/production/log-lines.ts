/** Judges a target's output lines (OPS-3, AUTH-8): pure. */
export interface LogJudgement {
  lines: number;
  notJson: string[];
  missingFields: string[];
  eventLinesWithoutContext: string[];
  leaks: string[];
}

export function judgeLogs(lines: readonly string[], secrets: readonly string[]): LogJudgement {
  const j: LogJudgement = { lines: 0, notJson: [], missingFields: [], eventLinesWithoutContext: [], leaks: [] };
  for (const line of lines) {
    if (!line.trim()) continue;
    j.lines++;
    for (const s of secrets) if (s && line.includes(s)) j.leaks.push(line.slice(0, 160));
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      j.notJson.push(line.slice(0, 160));
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null) {
      j.notJson.push(line.slice(0, 160));
      continue;
    }
    const o = parsed as Record<string, unknown>;
    if (!('level' in o) || !('time' in o) || typeof o.msg !== 'string') j.missingFields.push(line.slice(0, 160));
    if ('event' in o && !('userId' in o && 'socketId' in o)) j.eventLinesWithoutContext.push(line.slice(0, 160));
  }
  return j;
}
