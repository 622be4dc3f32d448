// The OAuth view: the steps of the selected server's login, stage by
// stage (resource metadata, authorization server metadata, registration,
// authorization with PKCE, token, refresh), each request and answer as
// the inspector got them, secrets already masked; and the authorization
// page, opened in a new tab when a login starts.

import { api, h } from './api.js';

const STAGES = [
  ['resource_metadata', 'Protected resource metadata'],
  ['server_metadata', 'Authorization server metadata'],
  ['registration', 'Registration'],
  ['authorization', 'Authorization (PKCE)'],
  ['token', 'Token exchange'],
  ['refresh', 'Refresh'],
];

export function oauthView(root) {
  let server = null;
  let shown = { steps: [], authorize: null };
  const opened = new Set();
  const note = h('span', { class: 'hint', role: 'status' });
  const refresh = h('button', { type: 'button', id: 'oauth-refresh' }, 'Refresh token');
  const link = h('p', { class: 'oauth-open', hidden: true });
  const list = h('div', { class: 'oauth-stages', 'aria-label': 'OAuth steps' });
  root.replaceChildren(h('div', { class: 'protocol' },
    h('div', { class: 'bar' }, refresh, note), link, list));

  const pre = (label, text) => (text ? h('div', {}, h('strong', {}, label), h('pre', { class: 'json' }, pretty(text))) : null);

  function stepRow(s) {
    const failed = Boolean(s.error);
    return h('li', { class: failed ? 'oauth-step error' : 'oauth-step' },
      h('div', {},
        s.method ? h('code', {}, `${s.method} ${s.url}`) : h('code', {}, s.url),
        s.status ? h('span', { class: 'hint' }, ` HTTP ${s.status}`) : null,
        h('span', { class: 'hint' }, ` ${s.ms} ms`)),
      s.note ? h('p', {}, s.note) : null,
      s.error ? h('p', { class: 'error' }, `Failed: ${s.error}`) : null,
      (s.requestHeaders || []).length ? pre('Request headers', s.requestHeaders.map(([k, v]) => `${k}: ${v}`).join('\n')) : null,
      pre('Request', s.request),
      pre('Answer', s.response));
  }

  function render() {
    if (!server) { list.replaceChildren(h('p', { class: 'empty' }, 'No server selected.')); refresh.disabled = true; return; }
    refresh.disabled = !shown.steps.some((s) => s.stage === 'token' && !s.error);
    if (shown.authorize) {
      link.hidden = false;
      link.replaceChildren('Waiting for the authorization: ',
        h('a', { href: shown.authorize, target: '_blank', rel: 'noopener noreferrer' }, 'open the authorization page'));
    } else link.hidden = true;
    if (!shown.steps.length) {
      list.replaceChildren(h('p', { class: 'empty' }, 'No OAuth login for this server (it asked for none yet).'));
      return;
    }
    list.replaceChildren(...STAGES.map(([stage, title]) => {
      const steps = shown.steps.filter((s) => s.stage === stage);
      const state = !steps.length ? 'not run' : steps.some((s) => s.error) && steps[steps.length - 1].error ? 'failed' : 'done';
      return h('section', { class: 'oauth-stage', 'data-stage': stage, 'data-state': state },
        h('h3', {}, `${title} `, h('span', { class: 'hint' }, `(${state})`)),
        steps.length ? h('ol', {}, ...steps.map(stepRow)) : null);
    }));
  }

  async function load() {
    if (!server) { shown = { steps: [], authorize: null }; render(); return; }
    const id = server.id;
    try {
      const r = await api(`/api/servers/${id}/oauth`);
      if (server && server.id === id) { shown = r; render(); }
    } catch (err) {
      note.textContent = err.message;
    }
  }

  refresh.addEventListener('click', async () => {
    if (!server) return;
    note.textContent = 'refreshing…';
    try {
      const r = await api(`/api/servers/${server.id}/oauth/refresh`, { method: 'POST' });
      note.textContent = r.refreshed ? 'new tokens' : 'no refresh token, or it was refused';
    } catch (err) {
      note.textContent = err.message;
    }
    load();
  });

  return {
    setServer(s) {
      if (!server || !s || server.id !== s.id) note.textContent = '';
      server = s;
      load();
    },
    /** An `oauth` event of the live feed. */
    event(ev) {
      if (ev.authorize && !opened.has(ev.authorize)) {
        opened.add(ev.authorize);
        // A blocked pop-up leaves the link in the view.
        window.open(ev.authorize, '_blank', 'noopener');
      }
      if (server && ev.server === server.id) load();
    },
  };
}

function pretty(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}
