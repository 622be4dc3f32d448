// The sidebar: the connected servers (several at once), the connect form
// and the config file's entries; and the selected server's heading.

import { api, h } from './api.js';

/** Splits a command line into words, honouring '…' and "…" quotes. */
export function splitCommand(line) {
  const words = [];
  let cur = '';
  let quote = null;
  let any = false;
  for (const c of line) {
    if (quote) {
      if (c === quote) quote = null; else cur += c;
    } else if (c === '"' || c === "'") { quote = c; any = true; }
    else if (/\s/.test(c)) { if (cur || any) words.push(cur); cur = ''; any = false; }
    else cur += c;
  }
  if (cur || any) words.push(cur);
  return words;
}

function eraText(s) {
  if (s.state !== 'connected') return `era ${s.mode}`;
  return s.mode === 'auto' ? `era ${s.era} (auto)` : `era ${s.era}`;
}

/** The sidebar's list of servers. */
export function renderServers(ul, servers, selectedId, { onSelect, onRemove }) {
  ul.replaceChildren(...servers.map((s) => {
    const name = s.serverInfo ? `${s.serverInfo.name} ${s.serverInfo.version || ''}` : s.label;
    return h('li', { class: 'server', 'aria-current': String(s.id === selectedId) },
      h('button', { type: 'button', class: 'pick', onclick: () => onSelect(s.id), 'aria-label': `Show ${name}` }, name),
      h('div', { class: 'meta' }, s.target),
      h('div', { class: 'meta' }, h('span', { class: `state-${s.state}` }, s.state),
        s.protocolVersion ? ` · ${s.protocolVersion}` : '', ` · ${eraText(s)}`),
      s.error ? h('div', { class: 'why' }, s.error) : null,
      h('button', { type: 'button', onclick: () => onRemove(s.id), 'aria-label': `Disconnect ${name}` }, 'Disconnect'));
  }));
}

/** The heading of the selected server: what it is and what it offers. */
export function renderHead(el, s, { onMode } = {}) {
  if (!s) {
    el.replaceChildren(h('p', { class: 'empty' }, 'Connect to a server: give its URL or command in the sidebar.'));
    return;
  }
  const info = s.serverInfo || {};
  const caps = s.capabilities ? Object.keys(s.capabilities) : [];
  el.replaceChildren(...[
    h('h2', {}, info.title || info.name || s.label),
    h('div', { class: 'facts' },
      h('span', {}, `state: ${s.state}`),
      info.version ? h('span', {}, `version ${info.version}`) : null,
      s.protocolVersion ? h('span', {}, `revision ${s.protocolVersion}`) : null,
      h('span', {}, eraText(s)),
      h('span', {}, s.transport),
      modeSwitch(s, onMode)),
    s.error ? h('pre', { class: 'error', role: 'alert' }, s.error) : null,
    caps.length ? h('details', {}, h('summary', {}, `Capabilities: ${caps.join(', ')}`),
      h('pre', {}, JSON.stringify(s.capabilities, null, 2))) : null,
    s.instructions ? h('details', { open: s.instructions.length <= 300 }, h('summary', {}, 'Instructions'), h('pre', {}, s.instructions)) : null,
  ].filter(Boolean));
}

/** A select that reconnects the server in another era. */
function modeSwitch(s, onMode) {
  if (!onMode) return null;
  const sel = h('select', { id: 'era-switch', 'aria-label': 'Reconnect in era' },
    ...['auto', 'legacy', 'modern'].map((m) => h('option', { value: m, selected: m === s.mode }, m)));
  sel.addEventListener('change', () => onMode(sel.value).catch(() => {}));
  return h('span', {}, h('label', { for: 'era-switch' }, 'era '), sel);
}

/** Wires the connect form and the config entries to `POST /api/servers`. */
export function connectForm(onConnected) {
  const form = document.getElementById('connect-form');
  const target = document.getElementById('connect-target');
  const mode = document.getElementById('connect-mode');
  const error = document.getElementById('connect-error');
  const send = async (body) => {
    error.hidden = true;
    try {
      const r = await api('/api/servers', { method: 'POST', body: { ...body, mode: mode.value } });
      onConnected(r.id);
      return true;
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      return false;
    }
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const line = target.value.trim();
    if (!line) return;
    let body;
    if (/^https?:\/\//i.test(line)) body = { url: line };
    else {
      const [command, ...args] = splitCommand(line);
      body = { command, args };
    }
    if (await send(body)) target.value = '';
  });
  return {
    /** Lists the config file's entries, each with a Connect button. */
    showConfig(entries) {
      const block = document.getElementById('config-block');
      block.hidden = entries.length === 0;
      document.getElementById('config').replaceChildren(...entries.map((c) => h('li', {},
        h('span', {}, h('strong', {}, c.name), h('br'), c.target),
        h('button', { type: 'button', onclick: () => send({ config: c.name }), 'aria-label': `Connect ${c.name}` }, 'Connect'))));
    },
  };
}
