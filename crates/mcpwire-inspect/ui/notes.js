// The Notifications view: the server's log messages and other
// notifications as they arrive, the log level it is asked for, and the
// roots the inspector offers it.

import { api, h } from './api.js';

const KEEP = 2000;
const LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

export function notesView(root) {
  let server = null;
  const byServer = new Map();

  const level = h('select', { id: 'log-level' }, h('option', { value: '' }, '(not set)'),
    ...LEVELS.map((l) => h('option', { value: l }, l)));
  const levelNote = h('span', { class: 'hint', role: 'status' });
  const list = h('div', { class: 'frames', role: 'log', 'aria-label': 'Notifications', 'aria-live': 'polite' });
  const rootsArea = h('textarea', { id: 'roots', class: 'json', spellcheck: 'false', placeholder: 'file:///path/to/project project' });
  const rootsNote = h('span', { class: 'hint', role: 'status' });
  const rootsForm = h('form', { 'aria-label': 'Roots offered to the server' },
    h('div', { class: 'field' }, h('label', { for: 'roots' }, 'Roots: one per line, a URI and an optional name'), rootsArea),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Offer roots'), rootsNote));
  root.replaceChildren(h('div', { class: 'protocol' },
    h('div', { class: 'bar' }, h('label', { for: 'log-level' }, 'Log level'), level, levelNote),
    list,
    h('details', {}, h('summary', {}, 'Roots'), rootsForm)));

  const entries = (id) => {
    if (!byServer.has(id)) byServer.set(id, []);
    return byServer.get(id);
  };

  function row(n) {
    const p = n.params || {};
    if (n.method === 'notifications/message') {
      const data = typeof p.data === 'string' ? p.data : JSON.stringify(p.data);
      return h('div', { class: `note level-${p.level}`, role: 'listitem' },
        h('span', { class: 't' }, new Date(n.t).toLocaleTimeString()),
        h('strong', {}, p.level || ''), p.logger ? h('span', { class: 'hint' }, p.logger) : null, h('span', {}, data));
    }
    return h('div', { class: 'note', role: 'listitem' },
      h('span', { class: 't' }, new Date(n.t).toLocaleTimeString()),
      h('strong', {}, n.method), h('span', { class: 'hint' }, JSON.stringify(p)));
  }

  const render = () => {
    if (!server) { list.replaceChildren(h('p', { class: 'empty' }, 'No server selected.')); return; }
    list.replaceChildren(...entries(server.id).slice(-500).map(row));
  };

  level.addEventListener('change', async () => {
    if (!server || !level.value) return;
    try {
      const r = await api(`/api/servers/${server.id}/log-level`, { method: 'POST', body: { level: level.value } });
      levelNote.textContent = r.perRequest ? `every request now asks for ${r.level}` : `the server sends ${r.level} and up`;
    } catch (err) {
      levelNote.textContent = err.message;
    }
  });
  rootsForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const roots = rootsArea.value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
      const [uri, ...name] = l.split(/\s+/);
      return name.length ? { uri, name: name.join(' ') } : { uri };
    });
    try {
      await api(`/api/servers/${server.id}/roots`, { method: 'PUT', body: { roots } });
      rootsNote.textContent = `${roots.length} roots offered`;
    } catch (err) {
      rootsNote.textContent = err.message;
    }
  });

  return {
    /** A frame from the live feed: keeps the server's notifications. */
    frame(e) {
      const f = e.frame;
      if (e.dir !== 'in' || !f || typeof f !== 'object' || !f.method || f.id !== undefined) return;
      if (f.method === 'notifications/progress') return;
      const list2 = entries(e.server);
      list2.push({ ...f, t: e.t });
      if (list2.length > KEEP) list2.shift();
      if (server && server.id === e.server && !root.hidden) render();
    },
    setServer(s) {
      if (!server || !s || server.id !== s.id) { level.value = ''; levelNote.textContent = ''; rootsNote.textContent = ''; }
      server = s;
      render();
    },
    refresh: render,
  };
}
