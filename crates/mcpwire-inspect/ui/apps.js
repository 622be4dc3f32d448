// MCP Apps, host side: a tool that names a UI (`_meta.ui.resourceUri`)
// has it rendered after each call, in a sandboxed iframe on the app
// origin, and the page speaks the Apps protocol with it over postMessage:
// `ui/initialize`, the tool's input and result delivered to the app,
// `tools/call` and `resources/read` from the app forwarded to the server
// (a call of a tool that is not read-only only once the person allows
// it), size changes, links and messages.

import { api, h } from './api.js';

const PROTOCOL = '2026-01-26';

/** The `ui://` resource a tool names, if any (and the older flat key). */
export function uiOf(tool) {
  const m = tool && tool._meta;
  if (!m) return null;
  const uri = (m.ui && m.ui.resourceUri) || m['ui/resourceUri'];
  return typeof uri === 'string' && uri.startsWith('ui://') ? uri : null;
}

/**
 * Renders the app `uri` of tool `tool` on server `server` into `box`,
 * and hands it `args` and `result`. `toolNamed(name)` finds the server's
 * other tools: a read-only one (`readOnlyHint`) is called without asking.
 */
export async function renderApp(box, server, tool, uri, args, result, toolNamed = () => null) {
  const log = h('ul', { class: 'plain app-log', 'aria-label': 'App messages' });
  const note = (text) => log.append(h('li', { class: 'hint' }, text));
  let loaded;
  try {
    loaded = await api(`/api/servers/${server.id}/app`, { method: 'POST', body: { uri } });
  } catch (err) {
    box.replaceChildren(h('p', { class: 'error' }, `cannot load the app ${uri}: ${err.message}`));
    return;
  }
  const frame = h('iframe', {
    class: 'app-frame', title: `App of ${tool.name}`, src: loaded.url,
    sandbox: 'allow-scripts allow-forms', referrerpolicy: 'no-referrer',
  });
  if (loaded.allow) frame.setAttribute('allow', loaded.allow);
  const consent = h('div', { class: 'app-consent', role: 'alertdialog', 'aria-label': 'The app asks to call a tool', hidden: true });
  box.replaceChildren(h('div', { class: 'block-kind' }, `app · ${uri}`), consent, frame, log);

  const send = (msg) => frame.contentWindow && frame.contentWindow.postMessage({ jsonrpc: '2.0', ...msg }, '*');
  const reply = (id, result) => send({ id, result });
  const fail = (id, code, message) => send({ id, error: { code, message } });
  let allowAlways = false;

  const ask = (name, callArgs) => new Promise((resolve) => {
    const t = toolNamed(name);
    if (allowAlways || (t && t.annotations && t.annotations.readOnlyHint === true)) { resolve(true); return; }
    const always = h('input', { type: 'checkbox', id: 'app-always' });
    const done = (yes) => { consent.hidden = true; allowAlways = yes && always.checked; resolve(yes); };
    consent.replaceChildren(
      h('p', {}, 'The app asks to call ', h('code', {}, name), ' with ', h('code', {}, JSON.stringify(callArgs || {}))),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => done(true) }, 'Allow'),
        h('button', { type: 'button', onclick: () => done(false) }, 'Deny'),
        h('label', { class: 'check' }, always, ' Allow this app\'s calls from now on')));
    consent.hidden = false;
    consent.querySelector('button').focus();
  });

  const handlers = {
    'ui/initialize': () => ({
      protocolVersion: PROTOCOL,
      hostInfo: { name: 'mcpwire-inspect', version: '1' },
      hostCapabilities: { openLinks: {}, serverTools: {}, serverResources: {}, logging: {}, message: { text: {} }, updateModelContext: { text: {} } },
      hostContext: {
        theme: (document.documentElement.dataset.theme
          || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light')),
        displayMode: 'inline', availableDisplayModes: ['inline'], platform: 'web', locale: navigator.language,
        toolInfo: { tool },
      },
    }),
    'tools/call': async (p) => {
      if (!(await ask(p.name, p.arguments))) throw Object.assign(new Error('the user declined the tool call'), { code: -32001 });
      const r = await api(`/api/servers/${server.id}/call`, { method: 'POST', body: { name: p.name, arguments: p.arguments || {} } });
      if (!r.ok) throw Object.assign(new Error(r.error), { code: -32603 });
      note(`tools/call ${p.name}`);
      return r.result;
    },
    'resources/read': async (p) => {
      const r = await api(`/api/servers/${server.id}/read`, { method: 'POST', body: { uri: p.uri } });
      if (!r.ok) throw Object.assign(new Error(r.error), { code: r.code || -32603 });
      return r.result;
    },
    'ui/open-link': (p) => {
      const ok = /^https?:\/\//.test(p.url || '') && !!window.open(p.url, '_blank', 'noopener,noreferrer');
      note(`open-link ${p.url}`);
      return ok ? {} : { isError: true };
    },
    'ui/message': (p) => { note(`message: ${JSON.stringify(p.content || p)}`); return {}; },
    'ui/update-model-context': (p) => { note(`model context: ${JSON.stringify(p.content || p)}`); return {}; },
    'ui/request-display-mode': () => ({ mode: 'inline' }),
    ping: () => ({}),
  };
  const notifications = {
    'ui/notifications/initialized': () => {
      send({ method: 'ui/notifications/tool-input', params: { arguments: args } });
      send({ method: 'ui/notifications/tool-result', params: result });
      box.dataset.appReady = 'true';
    },
    'ui/notifications/size-changed': (p) => {
      if (typeof p.height === 'number') frame.style.height = `${Math.min(Math.max(p.height, 40), 2000)}px`;
    },
    'notifications/message': (p) => note(`log ${p.level || ''}: ${JSON.stringify(p.data)}`),
  };

  const onMessage = async (e) => {
    if (e.source !== frame.contentWindow) return;
    if (!box.isConnected) { window.removeEventListener('message', onMessage); return; }
    const m = e.data;
    if (!m || typeof m !== 'object' || m.jsonrpc !== '2.0' || typeof m.method !== 'string') return;
    const p = m.params || {};
    if (m.id === undefined) { notifications[m.method]?.(p); return; }
    const f = handlers[m.method];
    if (!f) { fail(m.id, -32601, `the host does not serve ${m.method}`); return; }
    try {
      reply(m.id, await f(p));
    } catch (err) {
      fail(m.id, err.code || -32603, err.message);
    }
  };
  window.addEventListener('message', onMessage);
}
