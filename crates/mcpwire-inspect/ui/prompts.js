// The Prompts view: the server's prompts; fill one's arguments (with the
// server's completions) and see the messages it renders.

import { api, h } from './api.js';
import { completer } from './complete.js';
import { preview } from './resources.js';

function message(m) {
  const c = m.content || {};
  let body;
  if (c.type === 'text') body = h('pre', { class: 'text' }, c.text || '');
  else if (c.type === 'image') body = h('img', { src: `data:${c.mimeType};base64,${c.data}`, alt: 'image in the prompt' });
  else if (c.type === 'resource' && c.resource) body = h('div', {}, ...preview(c.resource));
  else body = h('pre', {}, JSON.stringify(c, null, 2));
  return h('div', { class: 'message', role: 'listitem' }, h('div', { class: 'block-kind' }, m.role || ''), body);
}

export function promptsView(root) {
  let server = null;
  const list = h('ul', { class: 'plain', 'aria-label': 'Prompts' });
  const status = h('p', { class: 'hint', role: 'status' });
  const detail = h('section', { class: 'tool', 'aria-label': 'Selected prompt' });
  root.replaceChildren(h('div', { class: 'toollist' }, status, list), detail);

  function show(p) {
    const inputs = {};
    const values = () => Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value]));
    const fields = (p.arguments || []).map((a) => {
      const id = `parg-${a.name}`;
      inputs[a.name] = h('input', { id, name: a.name, autocomplete: 'off', required: !!a.required });
      completer(inputs[a.name], () => server, { type: 'ref/prompt', name: p.name }, a.name, values);
      return h('div', { class: 'field' }, h('label', { for: id }, a.name),
        a.description ? h('span', { class: 'hint' }, a.description) : null, inputs[a.name]);
    });
    const out = h('div', { class: 'result', role: 'list', 'aria-label': 'Messages', 'aria-live': 'polite' });
    const form = h('form', { 'aria-label': `Arguments of ${p.name}` }, ...fields,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Get prompt')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const args = Object.fromEntries(Object.entries(values()).filter(([, v]) => v !== ''));
      out.replaceChildren(h('p', { class: 'empty' }, 'Getting…'));
      try {
        const r = await api(`/api/servers/${server.id}/prompt`, { method: 'POST', body: { name: p.name, arguments: args } });
        if (!r.ok) { out.replaceChildren(h('pre', { class: 'error' }, r.error)); return; }
        out.replaceChildren(
          r.result.description ? h('p', {}, r.result.description) : '',
          ...(r.result.messages || []).map(message));
      } catch (err) {
        out.replaceChildren(h('pre', { class: 'error' }, err.message));
      }
    });
    detail.replaceChildren(...[h('h3', {}, p.title || p.name), p.title ? h('p', {}, h('code', {}, p.name)) : null,
      p.description ? h('p', {}, p.description) : null, form, out].filter(Boolean));
  }

  return {
    async setServer(s) {
      if (server && s && server.id === s.id && list.childElementCount) { server = s; return; }
      server = s;
      list.replaceChildren();
      detail.replaceChildren();
      if (!s || s.state !== 'connected') { status.textContent = s ? 'not connected' : 'no server'; return; }
      if (s.capabilities && !s.capabilities.prompts) { status.textContent = 'this server offers no prompts'; return; }
      try {
        const r = await api(`/api/servers/${s.id}/prompts`);
        if (server !== s) return;
        list.replaceChildren(...r.prompts.map((p) => h('li', {},
          h('button', { type: 'button', class: 'link', onclick: () => show(p) }, p.title || p.name),
          p.description ? h('div', { class: 'hint' }, p.description) : null)));
        status.textContent = `${r.prompts.length} prompts`;
      } catch (err) {
        status.textContent = `prompts/list failed: ${err.message}`;
      }
    },
  };
}
