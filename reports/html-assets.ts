/**
 * The inline style and script of report.html, kept apart from the page structure in html.ts.
 * The script only ever reads the embedded JSON and builds DOM with textContent: report text
 * is untrusted, so it never reaches innerHTML or an attribute. No template literals or
 * closing script tags in here: this text is placed verbatim inside <script>.
 */

export const PAGE_STYLE = `
:root { font: 14px/1.4 system-ui, sans-serif; color: #1b1b1b; background: #fff; }
body { margin: 1rem 1.5rem; }
h1 { font-size: 1.3rem; margin: 0 0 .5rem; }
.legend span, .grid td button { border-radius: 3px; padding: 1px 6px; }
.legend span { display: inline-block; margin-right: .4rem; }
.grid { border-collapse: collapse; margin-top: .8rem; }
.grid th, .grid td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
.grid thead th { position: sticky; top: 0; background: #f4f4f4; z-index: 1; min-width: 9rem; }
.grid thead small { color: #555; word-break: break-all; }
.grid tr.group th, .grid tr.group td { background: #eaeef4; font-weight: 600; }
.grid th[scope=row] { font-weight: normal; max-width: 32rem; }
.grid tr.differs th[scope=row] { box-shadow: inset 4px 0 #7a5cc0; }
.grid .id { font-family: ui-monospace, monospace; font-weight: 600; margin-right: .4rem; }
.level { font-size: .75rem; color: #555; border: 1px solid #aaa; border-radius: 3px; padding: 0 3px; margin-left: .3rem; }
.grid td { padding: 0; }
.grid td button { all: unset; box-sizing: border-box; display: block; width: 100%; padding: 2px 6px; cursor: pointer; }
.grid td button:focus-visible { outline: 2px solid #1f5fbf; }
.v-pass { background: #c8e6c9; } .v-non-strict { background: #fff0b3; } .v-unimplemented { background: #e4e4e4; }
.v-inconclusive { background: #ddd0f2; } .v-fail { background: #ffc4c4; } .v-missing { background: #fff; color: #888; }
.outcome-pass { color: #1b5e20; font-weight: 600; } .outcome-fail { color: #b71c1c; font-weight: 600; }
body.hide-passing tr.all-pass { display: none; }
dialog { max-width: min(70rem, 95vw); max-height: 90vh; overflow: auto; border: 1px solid #888; }
dialog h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
dialog dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 1rem; }
dialog dt { font-weight: 600; } dialog dd { margin: 0; white-space: pre-wrap; word-break: break-word; }
dialog table { border-collapse: collapse; width: 100%; font-size: 13px; }
dialog td, dialog th { border-bottom: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
dialog pre { margin: 0; white-space: pre-wrap; word-break: break-all; max-height: 16rem; overflow: auto; }
tr.ev-expect.bad { background: #ffe3e3; } tr.ev-expect.good { background: #eaf6ea; } tr.ev-note { color: #444; }
section.bench h2 { font-size: 1.1rem; margin: 1rem 0 .4rem; }
table.bench { border-collapse: collapse; font-size: 13px; } table.bench td, table.bench th { border-bottom: 1px solid #ddd; padding: 2px 8px; text-align: left; }
.plots { display: flex; flex-wrap: wrap; gap: .5rem 1rem; margin: .5rem 0 1rem; }
`;

export const PAGE_SCRIPT = `
(function () {
  'use strict';
  var reports = JSON.parse(document.getElementById('report-data').textContent);
  var dialog = document.getElementById('detail');
  var body = document.getElementById('detail-body');
  var VERDICT_CLASS = { pass: 'v-pass', 'non-strict': 'v-non-strict', unimplemented: 'v-unimplemented', inconclusive: 'v-inconclusive', fail: 'v-fail' };
  var KIND_CLASS = { frame: 'ev-frame', http: 'ev-http', expect: 'ev-expect', note: 'ev-note' };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function json(value) {
    if (value === undefined) return '';
    try { return JSON.stringify(value, null, 2); } catch (e) { return String(value); }
  }
  function pre(value) { return el('pre', '', json(value)); }
  function field(dl, name, value) { dl.append(el('dt', '', name), el('dd', '', value)); }
  function ms(t) { return '+' + Math.round(Number(t)) + ' ms'; }

  function evidenceRow(e) {
    var tr = el('tr', KIND_CLASS[e.kind] || '');
    var what = el('td');
    var data = el('td');
    if (e.kind === 'frame') {
      what.textContent = '[' + e.conn + '] ' + (e.dir === 'out' ? '\\u2192 sent ' : '\\u2190 received ') + e.type + (e.event !== undefined ? ' ' + e.event : '');
      if (e.data !== undefined) data.append(pre(e.data));
    } else if (e.kind === 'http') {
      what.textContent = e.method + ' ' + e.url + ' \\u2192 ' + (e.status !== undefined ? e.status : 'no response') + ' in ' + Math.round(Number(e.durationMs)) + ' ms';
      if (e.requestBody !== undefined) { data.append(el('div', '', 'request:'), pre(e.requestBody)); }
      if (e.responseBody !== undefined) { data.append(el('div', '', 'response:'), pre(e.responseBody)); }
    } else if (e.kind === 'expect') {
      tr.classList.add(e.ok ? 'good' : 'bad');
      what.textContent = (e.ok ? '\\u2713 ' : '\\u2717 ') + 'expected: ' + e.expected;
      data.textContent = 'actual: ' + e.actual;
    } else {
      what.textContent = e.kind === 'note' ? e.text : json(e);
    }
    tr.append(el('td', '', ms(e.t)), el('td', '', e.kind), what, data);
    return tr;
  }

  function show(reportIndex, checkIndex) {
    var report = reports[reportIndex];
    var check = report && report.results[checkIndex];
    if (!check) return;
    var target = report.target.implementation ? report.target.implementation.name + ' ' + report.target.implementation.version : report.target.url;
    body.replaceChildren();
    body.append(el('h2', '', check.id + ' ' + check.title));
    var dl = el('dl');
    field(dl, 'target', target + ' (' + report.target.url + ')');
    var verdict = el('dd', VERDICT_CLASS[check.verdict] || '', check.verdict);
    dl.append(el('dt', '', 'verdict'), verdict);
    field(dl, 'level', check.level);
    field(dl, 'group', check.group);
    field(dl, 'rules', check.rules.join(', '));
    field(dl, 'message', check.message);
    field(dl, 'duration', Math.round(Number(check.durationMs)) + ' ms');
    if (check.repeats) field(dl, 'repeats', check.repeats.join(', '));
    if (check.counterexample) {
      var c = check.counterexample;
      field(dl, 'counterexample', 'seed ' + c.seed + (c.path !== undefined ? ', path ' + c.path : '') + ', after ' + c.numRuns + ' runs (replay with fast-check { seed, path })');
      var value = el('dd');
      value.append(pre(c.value));
      dl.append(el('dt', '', 'value'), value);
    }
    body.append(dl);
    body.append(el('h3', '', 'Evidence (' + check.evidence.length + ')'));
    if (check.evidence.length) {
      var table = el('table');
      var head = el('tr');
      ['time', 'kind', 'what', 'data'].forEach(function (h) { head.append(el('th', '', h)); });
      table.append(el('thead'), el('tbody'));
      table.tHead.append(head);
      check.evidence.forEach(function (e) { table.tBodies[0].append(evidenceRow(e)); });
      body.append(table);
    }
    if (!dialog.open) dialog.showModal();
  }

  document.querySelector('table.grid').addEventListener('click', function (event) {
    var button = event.target.closest('button[data-report]');
    if (button) show(Number(button.dataset.report), Number(button.dataset.check));
  });
  document.getElementById('close-detail').addEventListener('click', function () { dialog.close(); });
  document.getElementById('hide-passing').addEventListener('change', function (event) {
    document.body.classList.toggle('hide-passing', event.target.checked);
  });
})();
`;
