// The Collections view: calls saved with expectations (from the Tools
// view), or a session recorded from the protocol log; downloaded as a
// file `mcpwire test FILE TARGET` runs in CI, loaded back, and run
// against the selected server with a pass/fail per step.

import { api, h } from './api.js';

const KEY = 'mcpwire-collection';

function empty() {
  return { mcpwireCollection: 1, name: 'saved calls', steps: [] };
}

function load() {
  try { return JSON.parse(localStorage.getItem(KEY)) || empty(); } catch { return empty(); }
}

/** The step that calls `tool` with `args` again and expects what `result` showed. */
export function stepOf(tool, args, result) {
  const expect = { isError: !!result.isError };
  if (result.structuredContent !== undefined && result.structuredContent !== null) {
    expect.result = [{ pointer: '/structuredContent', equals: result.structuredContent }];
  } else {
    const text = (result.content || []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
    if (text) expect.textContains = text.slice(0, 200);
  }
  return { name: `tools/call ${tool}`, method: 'tools/call', params: { name: tool, arguments: args }, expect };
}

export function collectionsView(root) {
  let server = null;
  let doc = load();

  const name = h('input', { id: 'collection-name', autocomplete: 'off' });
  const steps = h('ol', { class: 'plain', 'aria-label': 'Steps' });
  const report = h('div', { class: 'result', role: 'region', 'aria-label': 'Run report', 'aria-live': 'polite' });
  const note = h('span', { class: 'hint', role: 'status' });
  const file = h('input', { type: 'file', id: 'collection-file', accept: 'application/json,.json', hidden: true });
  const button = (label, onclick) => h('button', { type: 'button', onclick }, label);

  const save = () => localStorage.setItem(KEY, JSON.stringify(doc));
  const draw = () => {
    name.value = doc.name;
    steps.replaceChildren(...doc.steps.map((s, i) => h('li', {},
      h('strong', {}, s.name), ' ', h('code', {}, s.method),
      button('Remove', () => { doc.steps.splice(i, 1); save(); draw(); }))));
    note.textContent = `${doc.steps.length} steps`;
  };
  name.addEventListener('change', () => { doc.name = name.value || 'saved calls'; save(); });

  const download = () => {
    const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
    const a = h('a', { href: url, download: `${doc.name.replace(/[^\w.-]+/g, '-') || 'collection'}.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  };
  const record = async () => {
    if (!server) return;
    try {
      doc = await api(`/api/servers/${server.id}/recording`);
      save();
      draw();
    } catch (err) { note.textContent = err.message; }
  };
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    try {
      const v = JSON.parse(await f.text());
      if (!Array.isArray(v.steps)) throw new Error('not a collection: it has no "steps"');
      doc = v;
      save();
      draw();
    } catch (err) { note.textContent = `cannot load ${f.name}: ${err.message}`; }
    file.value = '';
  });
  const run = async () => {
    if (!server) return;
    report.replaceChildren(h('p', { class: 'empty' }, 'Running…'));
    try {
      const r = await api(`/api/servers/${server.id}/run`, { method: 'POST', body: doc });
      report.dataset.passed = String(r.passed);
      report.replaceChildren(
        h('p', { class: r.passed ? 'ok' : 'error' }, `${r.steps.length - r.failed} passed, ${r.failed} failed in ${r.ms.toFixed(1)} ms`),
        h('ul', { class: 'plain', 'aria-label': 'Step results' }, ...r.steps.map((s) => h('li', { 'data-passed': String(s.passed) },
          h('strong', { class: s.passed ? 'ok' : 'error' }, s.passed ? 'PASS' : 'FAIL'), ` ${s.name} · ${s.ms.toFixed(1)} ms`,
          ...s.failures.map((f) => h('div', { class: 'hint' }, f))))));
    } catch (err) {
      report.replaceChildren(h('pre', { class: 'error' }, err.message));
    }
  };

  root.replaceChildren(h('div', { class: 'tool' },
    h('div', { class: 'field' }, h('label', { for: 'collection-name' }, 'Collection name'), name),
    h('div', { class: 'actions' },
      button('Run against this server', run), button('Record from the protocol log', record),
      button('Download', download), button('Load file…', () => file.click()),
      button('Clear', () => { doc = empty(); save(); draw(); }), file, note),
    steps, report));
  draw();

  return {
    setServer(s) { server = s; },
    /** Adds a step (a call saved from the Tools view). */
    add(step) { doc.steps.push(step); save(); draw(); },
  };
}
