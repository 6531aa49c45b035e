import { describe, expect, it } from 'vitest';
import { parse } from 'parse5';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { renderHtml } from '../html.ts';
import { PAGE_SCRIPT } from '../html-assets.ts';
import type { Report } from '../schema.ts';
import { HOSTILE, check, mixedReport, report } from './fixtures.ts';

interface Node {
  nodeName: string;
  tagName?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: Node[];
  content?: Node;
  value?: string;
}

function elements(node: Node): Node[] {
  const kids = [...(node.childNodes ?? []), ...(node.content ? [node.content] : [])];
  return [...(node.tagName ? [node] : []), ...kids.flatMap(elements)];
}
const attr = (n: Node, name: string) => n.attrs?.find((a) => a.name === name)?.value;
const hasClass = (n: Node, cls: string) => (attr(n, 'class') ?? '').split(' ').includes(cls);
const text = (n: Node): string => (n.nodeName === '#text' ? n.value! : (n.childNodes ?? []).map(text).join(''));

function page(reports: Report[]): Node[] {
  return elements(parse(renderHtml(reports)) as unknown as Node);
}

describe('HTML grid', () => {
  const after = mixedReport();
  const before = report([check('TRN-1', 'fail'), check('AUTH-1', 'fail'), check('OLD-1', 'pass')], {
    target: { ...after.target, url: 'http://other:4000', implementation: null },
  });
  const all = page([before, after]);
  const rows = all.filter((n) => n.tagName === 'tr' && hasClass(n, 'check'));

  it('has one row per check (union, grouped) and one column per target', () => {
    expect(rows.map((r) => text(r.childNodes!.find((c) => c.tagName === 'th')!).split('title')[0])).toEqual([
      'TRN-1',
      'TRN-2',
      'AUTH-1',
      'AUTH-2',
      'OLD-1',
      'MSG-1',
    ]);
    for (const row of rows) expect(row.childNodes!.filter((c) => c.tagName === 'td')).toHaveLength(2);
    const headers = all.find((n) => n.tagName === 'thead')!;
    expect(elements(headers).filter((n) => n.tagName === 'th').map((th) => text(th).split('http')[0])).toEqual(['Check', '', 'reference 0.1.0']);
    const groups = all.filter((n) => n.tagName === 'tr' && hasClass(n, 'group'));
    expect(groups.map((g) => g.childNodes!.map(text))).toEqual([
      ['TRN', '0/1 pass', '1/2 pass'],
      ['AUTH', '0/1 pass', '0/2 pass'],
      ['OLD', '1/1 pass', '0/0 pass'],
      ['MSG', '0/0 pass', '0/1 pass'],
    ]);
  });

  it('colours each cell by verdict, marks missing checks, and points buttons at report and check', () => {
    const classesOf = (id: string) => rows.find((r) => text(r).startsWith(id))!.childNodes!.filter((c) => c.tagName === 'td').map((td) => attr(td, 'class'));
    expect(classesOf('TRN-1')).toEqual(['v-fail', 'v-pass']);
    expect(classesOf('TRN-2')).toEqual(['v-missing', 'v-non-strict']);
    expect(classesOf('AUTH-2')).toEqual(['v-missing', 'v-unimplemented']);
    expect(classesOf('MSG-1')).toEqual(['v-missing', 'v-inconclusive']);
    expect(classesOf('OLD-1')).toEqual(['v-pass', 'v-missing']);
    const button = elements(rows.find((r) => text(r).startsWith('AUTH-1'))!).filter((n) => n.tagName === 'button')[1]!;
    expect([attr(button, 'data-report'), attr(button, 'data-check')]).toEqual(['1', '2']);
    expect(rows.filter((r) => hasClass(r, 'differs')).length).toBe(5);
    expect(hasClass(rows.find((r) => text(r).startsWith('AUTH-1'))!, 'differs')).toBe(false);
  });

  it('embeds the reports as JSON that round-trips', () => {
    const data = all.find((n) => attr(n, 'id') === 'report-data')!;
    expect(JSON.parse(text(data))).toEqual([before, after]);
  });

  it('lets nothing from hostile report text become an element or attribute', () => {
    const evil = HOSTILE + '<svg onload=alert(2)><a href="javascript:alert(3)">x</a>"><b x=\'';
    const hostile = report([check('TEXT-1', 'fail', { title: evil, group: evil, message: evil, rules: [evil], evidence: [
      { kind: 'note', t: 0, text: evil },
      { kind: 'frame', t: 1, conn: evil, dir: 'in', type: evil, event: evil, data: { [evil]: evil } },
    ], counterexample: { seed: 1, value: evil, numRuns: 1 } })], {
      target: { url: evil, specVersion: evil, implementation: { name: evil, version: evil }, engineIoProtocol: 4, startedByHarness: false },
      startedAt: '2025-01-02T03:04:05.000Z',
    });
    const html = renderHtml([hostile, mixedReport()]);
    const nodes = elements(parse(html) as unknown as Node);
    const benign = elements(parse(renderHtml([mixedReport(), mixedReport()])) as unknown as Node);
    const shape = (ns: Node[]) => ns.map((n) => `${n.tagName}[${(n.attrs ?? []).map((a) => a.name).sort().join(',')}]`);
    // Same elements and attribute names as a page built from harmless text.
    expect(new Set(shape(nodes))).toEqual(new Set(shape(benign)));
    expect(nodes.filter((n) => ['img', 'svg', 'a', 'b'].includes(n.tagName!))).toHaveLength(0);
    expect(nodes.filter((n) => n.tagName === 'script')).toHaveLength(2);
    for (const n of nodes) for (const a of n.attrs ?? []) expect(a.value).not.toMatch(/alert|onerror|javascript:/);
    expect(html).not.toMatch(/<\/script><img/i);
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    const data = nodes.find((n) => attr(n, 'id') === 'report-data')!;
    expect(JSON.parse(text(data))[0].results[0].message).toBe(evil);
  });

  it('pins its inline style and script with a Content-Security-Policy', () => {
    const csp = attr(all.find((n) => attr(n, 'http-equiv') === 'Content-Security-Policy')!, 'content')!;
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; script-src 'sha256-[A-Za-z0-9+/=]+'$/);
    expect(all.filter((n) => ['link', 'img', 'iframe'].includes(n.tagName!) || (n.tagName === 'script' && attr(n, 'src')))).toHaveLength(0);
  });

  it("detail view: the inline script shows a cell's evidence through textContent only", () => {
    const evil = HOSTILE;
    const hostile = report([check('TEXT-1', 'fail', { message: evil, evidence: [{ kind: 'frame', t: 1, conn: 'a', dir: 'in', type: 'EVENT', event: evil, data: { x: evil } }, { kind: 'expect', t: 2, expected: evil, actual: 'y', ok: false }], counterexample: { seed: 7, value: evil, numRuns: 3 } })]);
    const nodes = elements(parse(renderHtml(hostile)) as unknown as Node);
    const dataText = text(nodes.find((n) => attr(n, 'id') === 'report-data')!);
    const dom = fakeDom(dataText);
    new Function('document', PAGE_SCRIPT)(dom.document);
    dom.click(0, 0);
    expect(dom.dialog.open).toBe(true);
    const shown = dom.detailText();
    expect(shown).toContain(`TEXT-1 title of TEXT-1`);
    expect(shown).toContain(evil);
    expect(shown).toContain('\u2190 received EVENT ' + evil);
    expect(shown).toContain('seed 7, after 3 runs');
    expect(shown).toContain('\u2717 expected: ' + evil);
  });

  const chromium = '/usr/bin/chromium';
  it.skipIf(!existsSync(chromium))(`renders in headless chromium (skipped when ${chromium} is absent)`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sockproof-html-'));
    try {
      await writeFile(join(dir, 'report.html'), renderHtml([before, after]));
      const shot = join(dir, 'shot.png');
      await promisify(execFile)(chromium, ['--headless', '--no-sandbox', '--disable-gpu', `--screenshot=${shot}`, '--window-size=1200,900', `file://${join(dir, 'report.html')}`], { timeout: 30_000 });
      expect((await readFile(shot)).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Just enough DOM for PAGE_SCRIPT; setting innerHTML throws, so a test fails if the script ever uses it. */
class FakeElement {
  children: FakeElement[] = [];
  className = '';
  textContent = '';
  open = false;
  listeners: Record<string, (event: unknown) => void> = {};
  classList = { add: (c: string) => void (this.className += ` ${c}`), toggle: () => undefined };
  constructor(readonly tagName: string) {}
  append(...nodes: FakeElement[]) { this.children.push(...nodes); }
  replaceChildren() { this.children = []; }
  get tHead() { return this.children.find((c) => c.tagName === 'thead'); }
  get tBodies() { return this.children.filter((c) => c.tagName === 'tbody'); }
  set innerHTML(_: string) { throw new Error('innerHTML used'); }
  addEventListener(type: string, fn: (event: unknown) => void) { this.listeners[type] = fn; }
  showModal() { this.open = true; }
  close() { this.open = false; }
  allText(): string { return [this.textContent, ...this.children.map((c) => c.allText())].join('\n'); }
}

function fakeDom(dataText: string) {
  const byId: Record<string, FakeElement> = {};
  for (const id of ['report-data', 'detail', 'detail-body', 'close-detail', 'hide-passing']) byId[id] = new FakeElement('div');
  byId['report-data']!.textContent = dataText;
  const grid = new FakeElement('table');
  const document = {
    getElementById: (id: string) => byId[id],
    createElement: (tag: string) => new FakeElement(tag),
    querySelector: () => grid,
    body: new FakeElement('body'),
  };
  return {
    document,
    dialog: byId.detail!,
    click: (report: number, check: number) => grid.listeners.click!({ target: { closest: () => ({ dataset: { report: String(report), check: String(check) } }) } }),
    detailText: () => byId['detail-body']!.allText(),
  };
}
