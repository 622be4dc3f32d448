// The page: the live feed, the servers, the views (one tab each), the
// dialogs for the servers' questions, and the theme.

import { api } from './api.js';
import { asksView } from './asks.js';
import { collectionsView } from './collections.js';
import { skillsView, tasksView } from './extras.js';
import { notesView } from './notes.js';
import { oauthView } from './oauth.js';
import { promptsView } from './prompts.js';
import { resourcesView } from './resources.js';
import { connectForm, renderHead, renderServers } from './servers.js';
import { protocolView } from './protocol.js';
import { toolsView } from './tools.js';

const servers = new Map();
let selected = null;
// The server just connected from the page, shown once it appears.
let wanted = null;

const view = (id) => document.getElementById(id);
const tasks = tasksView(view('view-tasks'));
const collections = collectionsView(view('view-collections'));
const tools = toolsView(view('view-tools'), {
  onTask: (id) => { document.getElementById('tab-tasks').click(); tasks.open(id); },
  onSave: (step) => collections.add(step),
});
const resources = resourcesView(view('view-resources'));
const prompts = promptsView(view('view-prompts'));
const notes = notesView(view('view-notes'));
const skills = skillsView(view('view-skills'));
const oauth = oauthView(view('view-oauth'));
const protocol = protocolView(view('view-protocol'), {
  replay: (method, params) => api(`/api/servers/${selected}/request`, { method: 'POST', body: { method, params } }),
});
const views = [tools, resources, prompts, notes, tasks, skills, collections, oauth, protocol];
const live = document.getElementById('live');
const asks = asksView(document.getElementById('ask'), (id) => servers.get(id));

function current() {
  return selected === null ? null : servers.get(selected) || null;
}

function drawServers() {
  renderServers(document.getElementById('servers'), [...servers.values()], selected, {
    onSelect: (id) => select(id),
    onRemove: async (id) => { await api(`/api/servers/${id}`, { method: 'DELETE' }).catch(() => {}); },
  });
  renderHead(document.getElementById('server-head'), current(), {
    onMode: async (mode) => {
      const r = await api(`/api/servers/${selected}/reconnect`, { method: 'POST', body: { mode } });
      wanted = r.id;
    },
  });
}

function select(id) {
  selected = id;
  drawServers();
  for (const v of views) v.setServer(current());
}

function upsert(s) {
  const before = servers.get(s.id);
  servers.set(s.id, s);
  if (selected === null || s.id === wanted) { wanted = null; select(s.id); return; }
  drawServers();
  if (s.id === selected && (!before || before.state !== s.state)) {
    for (const v of views) v.setServer(s);
  }
}

function listen() {
  const source = new EventSource('/api/events');
  source.addEventListener('open', () => { live.textContent = 'live'; });
  source.addEventListener('error', () => { live.textContent = 'reconnecting…'; });
  source.addEventListener('message', (msg) => {
    const ev = JSON.parse(msg.data);
    if (ev.type === 'server') upsert(ev.server);
    else if (ev.type === 'removed') {
      servers.delete(ev.id);
      if (selected === ev.id) select(servers.size ? [...servers.keys()][0] : null);
      else drawServers();
    } else if (ev.type === 'frame') {
      protocol.add(ev.entry);
      notes.frame(ev.entry);
      const f = ev.entry.frame;
      if (ev.entry.dir !== 'in' || !f || !f.method) return;
      if (f.method === 'notifications/tools/list_changed' && ev.entry.server === selected) tools.setServer(current());
      else if (f.method === 'notifications/resources/updated') resources.updated(ev.entry.server, f.params && f.params.uri);
      else if (f.method === 'notifications/resources/list_changed') resources.listChanged(ev.entry.server);
      else if (f.method === 'notifications/prompts/list_changed' && ev.entry.server === selected) { prompts.setServer(null); prompts.setServer(current()); }
    } else if (ev.type === 'progress') tools.progress(ev);
    else if (ev.type === 'ask') asks.add(ev.ask);
    else if (ev.type === 'ask-gone') asks.gone(ev.id);
    else if (ev.type === 'oauth') oauth.event(ev);
  });
}

function tabs() {
  const list = [...document.querySelectorAll('[role="tab"]')];
  const show = (tab) => {
    for (const t of list) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
    }
    if (tab.id === 'tab-protocol') protocol.refresh();
    if (tab.id === 'tab-notes') notes.refresh();
  };
  list.forEach((t, i) => {
    t.addEventListener('click', () => show(t));
    t.addEventListener('keydown', (e) => {
      const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (!d) return;
      const next = list[(i + d + list.length) % list.length];
      next.focus();
      show(next);
    });
  });
}

function theme() {
  const rootEl = document.documentElement;
  const saved = localStorage.getItem('mcpwire-theme');
  if (saved) rootEl.dataset.theme = saved;
  const btn = document.getElementById('theme');
  const dark = () => (rootEl.dataset.theme || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light')) === 'dark';
  const label = () => { btn.textContent = dark() ? 'Light theme' : 'Dark theme'; };
  btn.addEventListener('click', () => {
    rootEl.dataset.theme = dark() ? 'light' : 'dark';
    localStorage.setItem('mcpwire-theme', rootEl.dataset.theme);
    label();
  });
  label();
}

async function start() {
  theme();
  tabs();
  const connect = connectForm((id) => {
    if (servers.has(id)) select(id);
    else wanted = id;
  });
  listen();
  const r = await api('/api/servers');
  for (const a of (await api('/api/asks')).asks) asks.add(a);
  connect.showConfig(r.config);
  for (const s of r.servers) servers.set(s.id, s);
  if (r.servers.length) select(r.servers[0].id);
  else drawServers();
  document.body.dataset.ready = '1';
}

start().catch((err) => { live.textContent = `error: ${err.message}`; });
