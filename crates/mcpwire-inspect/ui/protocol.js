// The Protocol view: every JSON-RPC message of the selected server, both
// ways, timed; filter, copy, and export as JSON.

import { api, h } from './api.js';

const KEEP = 10000;   // entries kept per server in the page (the backend keeps as many)
const DRAWN = 500;    // rows drawn at once: the newest that match

function describe(frame) {
  if (typeof frame !== 'object' || frame === null) return 'non-JSON frame';
  if (Array.isArray(frame)) return `batch of ${frame.length}`;
  if (frame.method) return frame.id !== undefined ? `${frame.method} #${frame.id}` : frame.method;
  if ('error' in frame) return `error #${frame.id}`;
  return `result #${frame.id}`;
}

export function protocolView(root, { replay } = {}) {
  const byServer = new Map();
  let server = null;
  let pending = false;

  const filter = h('input', { id: 'frame-filter', type: 'search', autocomplete: 'off', placeholder: 'method, id or text' });
  const dir = h('select', { id: 'frame-dir' },
    h('option', { value: '' }, 'both ways'), h('option', { value: 'out' }, 'sent'), h('option', { value: 'in' }, 'received'));
  const exportBtn = h('button', { type: 'button' }, 'Export JSON');
  const count = h('span', { class: 'hint', role: 'status' });
  const frames = h('div', { class: 'frames', role: 'list', 'aria-label': 'Messages' });
  // Outside the list, which is drawn anew as messages arrive.
  const replayed = h('div', { class: 'result', role: 'region', 'aria-label': 'Replay result', 'aria-live': 'polite' });
  root.replaceChildren(h('div', { class: 'protocol' },
    h('div', { class: 'bar' },
      h('label', { for: 'frame-filter' }, 'Filter messages'), filter,
      h('label', { for: 'frame-dir' }, 'Direction'), dir, exportBtn, count),
    replayed, frames));

  const store = (id) => {
    if (!byServer.has(id)) byServer.set(id, { entries: [], seen: new Set(), loaded: false });
    return byServer.get(id);
  };

  const add = (e) => {
    const s = store(e.server);
    if (s.seen.has(e.seq)) return;
    s.seen.add(e.seq);
    e._text = JSON.stringify(e.frame);
    e._what = describe(e.frame);
    s.entries.push(e);
    if (s.entries.length > KEEP) s.seen.delete(s.entries.shift().seq);
  };

  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; render(); });
  };

  function render() {
    if (!server) { frames.replaceChildren(h('p', { class: 'empty' }, 'No server selected.')); return; }
    const s = store(server.id);
    const q = filter.value.trim().toLowerCase();
    const d = dir.value;
    const match = s.entries.filter((e) => (!d || e.dir === d) && (!q || e._text.toLowerCase().includes(q)));
    const start = s.entries.length ? s.entries[0].t : 0;
    const drawn = match.slice(-DRAWN);
    count.textContent = match.length > DRAWN
      ? `${match.length} messages (the newest ${DRAWN} shown)` : `${match.length} messages`;
    frames.replaceChildren(...drawn.map((e) => {
      const copy = h('button', { type: 'button', 'aria-label': `Copy message ${e.seq}` }, 'Copy');
      copy.addEventListener('click', () => navigator.clipboard?.writeText(e._text));
      const f = e.frame;
      const again = replay && e.dir === 'out' && f && typeof f === 'object' && f.method && f.id !== undefined
        && f.method !== 'initialize'
        ? h('button', { type: 'button', 'aria-label': `Send message ${e.seq} again` }, 'Replay') : null;
      again?.addEventListener('click', async () => {
        const { _meta, ...params } = f.params || {};
        replayed.replaceChildren(h('p', { class: 'empty' }, `Sending ${f.method} again…`));
        const r = await replay(f.method, f.params ? params : undefined).catch((err) => ({ ok: false, error: err.message }));
        replayed.replaceChildren(h('div', { class: 'block-kind' }, `${f.method} sent again`),
          h('pre', { class: r.ok ? '' : 'error' }, JSON.stringify(r.ok ? r.result : r.error, null, 2)));
      });
      const details = h('details', { class: 'frame', role: 'listitem' },
        h('summary', {},
          h('span', { class: 't' }, `+${(e.t - start).toFixed(1)} ms`),
          h('span', { class: `dir-${e.dir}`, 'aria-label': e.dir === 'out' ? 'sent' : 'received' }, e.dir === 'out' ? '→' : '←'),
          h('span', {}, e._what),
          h('span', { class: 'hint' }, `${e._text.length} B`)),
        copy, again);
      // The pretty JSON is built when the row is opened.
      details.addEventListener('toggle', () => {
        if (details.open && !details.querySelector('pre')) details.append(h('pre', {}, JSON.stringify(e.frame, null, 2)));
      }, { once: false });
      return details;
    }));
  }

  filter.addEventListener('input', schedule);
  dir.addEventListener('change', schedule);
  exportBtn.addEventListener('click', async () => {
    if (!server) return;
    const entries = await api(`/api/servers/${server.id}/log`);
    const doc = { server: { id: server.id, label: server.label, target: server.target }, exported: new Date().toISOString(), entries };
    const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
    const a = h('a', { href: url, download: `mcpwire-protocol-${server.id}.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  });

  return {
    /** One entry from the live feed. */
    add(e) {
      add(e);
      if (server && e.server === server.id && !root.hidden) schedule();
    },
    /** Shows the messages of `s`, loading what came before the page opened. */
    async setServer(s) {
      server = s;
      if (s && !store(s.id).loaded) {
        store(s.id).loaded = true;
        try {
          const entries = await api(`/api/servers/${s.id}/log`);
          entries.forEach(add);
          store(s.id).entries.sort((a, b) => a.seq - b.seq);
        } catch { /* the live feed still fills it */ }
      }
      schedule();
    },
    /** Draws again (when the view is shown). */
    refresh: schedule,
  };
}
