// The page: the live feed, the servers, the views and the theme.
// Later views (resources, prompts, requests from the server) plug in as
// tabs next to Tools and Protocol.

import { api } from './api.js';
import { connectForm, renderHead, renderServers } from './servers.js';
import { protocolView } from './protocol.js';
import { toolsView } from './tools.js';

const servers = new Map();
let selected = null;
// The server just connected from the page, shown once it appears.
let wanted = null;

const tools = toolsView(document.getElementById('view-tools'));
const protocol = protocolView(document.getElementById('view-protocol'));
const live = document.getElementById('live');

function current() {
  return selected === null ? null : servers.get(selected) || null;
}

function drawServers() {
  renderServers(document.getElementById('servers'), [...servers.values()], selected, {
    onSelect: (id) => select(id),
    onRemove: async (id) => { await api(`/api/servers/${id}`, { method: 'DELETE' }).catch(() => {}); },
  });
  renderHead(document.getElementById('server-head'), current());
}

function select(id) {
  selected = id;
  drawServers();
  tools.setServer(current());
  protocol.setServer(current());
}

function upsert(s) {
  const before = servers.get(s.id);
  servers.set(s.id, s);
  if (selected === null || s.id === wanted) { wanted = null; select(s.id); return; }
  drawServers();
  if (s.id === selected && (!before || before.state !== s.state)) {
    tools.setServer(s);
    protocol.setServer(s);
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
      const f = ev.entry.frame;
      if (ev.entry.dir === 'in' && f && f.method === 'notifications/tools/list_changed' && ev.entry.server === selected) {
        tools.setServer(current());
      }
    }
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
  connect.showConfig(r.config);
  for (const s of r.servers) servers.set(s.id, s);
  if (r.servers.length) select(r.servers[0].id);
  else drawServers();
  document.body.dataset.ready = '1';
}

start().catch((err) => { live.textContent = `error: ${err.message}`; });
