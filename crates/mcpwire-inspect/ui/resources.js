// The Resources view: the server's resources and templates; read one with
// a preview (text, JSON, images), subscribe and see updates arrive, and
// fill a template's variables with the server's completions.

import { api, h } from './api.js';
import { completer } from './complete.js';

/** The element previewing one `contents` entry of a resources/read result. */
export function preview(c) {
  const head = h('div', { class: 'block-kind' }, `${c.mimeType || 'no type'} · ${c.uri || ''}`);
  if (typeof c.text === 'string') {
    if ((c.mimeType || '').includes('json')) {
      try { return [head, h('pre', { class: 'text' }, JSON.stringify(JSON.parse(c.text), null, 2))]; } catch { /* as text */ }
    }
    return [head, h('pre', { class: 'text' }, c.text)];
  }
  if (typeof c.blob === 'string' && (c.mimeType || '').startsWith('image/')) {
    return [head, h('img', { src: `data:${c.mimeType};base64,${c.blob}`, alt: `image ${c.uri || ''}` })];
  }
  const bytes = typeof c.blob === 'string' ? Math.floor((c.blob.length * 3) / 4) : 0;
  return [head, h('p', { class: 'empty' }, `binary, ${bytes} bytes`)];
}

/** The variables of an RFC 6570 URI template, in order. */
function variables(template) {
  const names = [];
  for (const m of template.matchAll(/\{([^}]+)\}/g)) {
    for (const part of m[1].replace(/^[+#./;?&]/, '').split(',')) {
      const name = part.replace(/[*]$|:\d+$/, '');
      if (name && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

/** Expands the simple and reserved forms of a URI template with `values`. */
function expand(template, values) {
  return template.replace(/\{([^}]+)\}/g, (_, expr) => {
    const op = /^[+#./;?&]/.test(expr) ? expr[0] : '';
    const names = expr.slice(op ? 1 : 0).split(',').map((n) => n.replace(/[*]$|:\d+$/, ''));
    const enc = op === '+' || op === '#' ? encodeURI : encodeURIComponent;
    const parts = names.filter((n) => values[n] !== undefined && values[n] !== '').map((n) => enc(values[n]));
    if (!parts.length) return '';
    switch (op) {
      case '?': return `?${names.filter((n) => values[n]).map((n) => `${n}=${enc(values[n])}`).join('&')}`;
      case '&': return `&${names.filter((n) => values[n]).map((n) => `${n}=${enc(values[n])}`).join('&')}`;
      case '/': return `/${parts.join('/')}`;
      case '.': return `.${parts.join('.')}`;
      case '#': return `#${parts.join(',')}`;
      default: return parts.join(',');
    }
  });
}

export function resourcesView(root) {
  let server = null;
  const subscribed = new Set();
  let reading = null; // the URI in the detail pane

  const list = h('ul', { class: 'plain', 'aria-label': 'Resources' });
  const tlist = h('ul', { class: 'plain', 'aria-label': 'Resource templates' });
  const status = h('p', { class: 'hint', role: 'status' });
  const detail = h('section', { class: 'tool', 'aria-label': 'Selected resource', 'aria-live': 'polite' });
  root.replaceChildren(
    h('div', { class: 'toollist' }, status, h('h3', {}, 'Resources'), list, h('h3', {}, 'Templates'), tlist),
    detail,
  );

  async function read(uri, note) {
    reading = uri;
    const subscribe = h('button', { type: 'button', 'aria-pressed': String(subscribed.has(uri)) },
      subscribed.has(uri) ? 'Unsubscribe' : 'Subscribe');
    const body = h('div', { class: 'result', role: 'region', 'aria-label': 'Contents' }, h('p', { class: 'empty' }, 'Reading…'));
    const canSubscribe = !!(server.capabilities && server.capabilities.resources && server.capabilities.resources.subscribe);
    subscribe.hidden = !canSubscribe;
    subscribe.addEventListener('click', async () => {
      const on = !subscribed.has(uri);
      try {
        const r = await api(`/api/servers/${server.id}/${on ? 'subscribe' : 'unsubscribe'}`, { method: 'POST', body: { uri } });
        if (!r.ok) throw new Error(r.error);
        if (on) subscribed.add(uri); else subscribed.delete(uri);
        subscribe.textContent = on ? 'Unsubscribe' : 'Subscribe';
        subscribe.setAttribute('aria-pressed', String(on));
      } catch (err) {
        body.prepend(h('p', { class: 'error', role: 'alert' }, err.message));
      }
    });
    detail.replaceChildren(...[h('h3', {}, h('code', {}, uri)), h('div', { class: 'actions' }, subscribe), note, body].filter(Boolean));
    try {
      const r = await api(`/api/servers/${server.id}/read`, { method: 'POST', body: { uri } });
      if (reading !== uri) return;
      if (!r.ok) { body.replaceChildren(h('pre', { class: 'error' }, r.error)); return; }
      body.replaceChildren(...(r.result.contents || []).flatMap(preview));
      body.dataset.readAt = String(Date.now());
    } catch (err) {
      body.replaceChildren(h('pre', { class: 'error' }, err.message));
    }
  }

  function showTemplate(t) {
    reading = null;
    const names = variables(t.uriTemplate);
    const inputs = {};
    const values = () => Object.fromEntries(names.map((n) => [n, inputs[n].value]));
    const fields = names.map((n) => {
      const id = `tvar-${n}`;
      inputs[n] = h('input', { id, name: n, autocomplete: 'off' });
      completer(inputs[n], () => server, { type: 'ref/resource', uri: t.uriTemplate }, n, values);
      return h('div', { class: 'field' }, h('label', { for: id }, n), inputs[n]);
    });
    const form = h('form', { 'aria-label': `Variables of ${t.uriTemplate}` }, ...fields,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Read')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      read(expand(t.uriTemplate, values()), h('p', { class: 'hint' }, `from ${t.uriTemplate}`));
    });
    detail.replaceChildren(...[h('h3', {}, t.title || t.name), h('p', {}, h('code', {}, t.uriTemplate)),
      t.description ? h('p', {}, t.description) : null, form].filter(Boolean));
  }

  const item = (label, sub, onclick) => h('li', {},
    h('button', { type: 'button', class: 'link', onclick }, label), sub ? h('div', { class: 'hint' }, sub) : null);

  return {
    async setServer(s) {
      if (server && s && server.id === s.id && list.childElementCount) { server = s; return; }
      if (!s || !server || server.id !== s.id) { subscribed.clear(); detail.replaceChildren(); }
      server = s;
      list.replaceChildren();
      tlist.replaceChildren();
      if (!s || s.state !== 'connected') { status.textContent = s ? 'not connected' : 'no server'; return; }
      if (s.capabilities && !s.capabilities.resources) { status.textContent = 'this server offers no resources'; return; }
      status.textContent = 'loading…';
      try {
        const r = await api(`/api/servers/${s.id}/resources`);
        if (server !== s) return;
        const rs = Array.isArray(r.resources) ? r.resources : [];
        const ts = Array.isArray(r.templates) ? r.templates : [];
        list.replaceChildren(...rs.map((x) => item(x.title || x.name || x.uri, x.uri, () => read(x.uri))));
        tlist.replaceChildren(...ts.map((x) => item(x.title || x.name, x.uriTemplate, () => showTemplate(x))));
        const errs = [r.resources, r.templates].filter((x) => x && x.error).map((x) => x.error);
        status.textContent = `${rs.length} resources · ${ts.length} templates${errs.length ? ` · ${errs.join('; ')}` : ''}`;
        document.body.dataset.resourcesReady = String(s.id);
      } catch (err) {
        status.textContent = `resources/list failed: ${err.message}`;
      }
    },
    /** A `notifications/resources/updated` of server `id`. */
    updated(id, uri) {
      if (!server || server.id !== id || !subscribed.has(uri)) return;
      const note = h('p', { class: 'ok', role: 'status' }, `updated at ${new Date().toLocaleTimeString()}`);
      if (reading === uri) read(uri, note);
    },
    /** `notifications/resources/list_changed` of server `id`. */
    listChanged(id) {
      if (server && server.id === id) { list.replaceChildren(); this.setServer(server); }
    },
  };
}
