// Requests from a server that the person answers, as dialogs: sampling
// (write the model's reply, or reject), elicitation in form mode (a form
// from the requested schema) and in URL mode (open the link, or not), and
// roots (the roots on offer, to send as they are or changed).
// In the 2026-07-28 era these arrive as the input requests of a round.

import { api, h } from './api.js';
import { argumentsForm } from './form.js';

function text(content) {
  const list = Array.isArray(content) ? content : [content];
  return list.map((c) => (c && c.type === 'text' ? c.text : `[${(c && c.type) || 'content'}]`)).join('\n');
}

export function asksView(dialog, serverOf) {
  const serverName = (id) => {
    const s = serverOf(id);
    return s ? ((s.serverInfo && s.serverInfo.name) || s.label) : `server ${id}`;
  };
  const queue = [];
  let shown = null;

  const answer = async (body) => {
    const ask = shown;
    if (!ask) return;
    try {
      await api(`/api/asks/${ask.id}`, { method: 'POST', body });
    } catch { /* withdrawn meanwhile: its dialog closes all the same */ }
    close(ask.id);
  };

  function close(id) {
    const i = queue.findIndex((a) => a.id === id);
    if (i >= 0) queue.splice(i, 1);
    if (shown && shown.id === id) {
      shown = null;
      dialog.close();
      next();
    }
  }

  function sampling(p) {
    const reply = h('textarea', { id: 'sampling-reply', class: 'json', required: true });
    const model = h('input', { id: 'sampling-model', value: 'mcpwire-inspect (a person)' });
    const form = h('form', { method: 'dialog', 'aria-label': 'Answer the sampling request' },
      h('p', {}, 'The server asks the client\'s model to reply. You are the model:'),
      p.systemPrompt ? h('details', {}, h('summary', {}, 'System prompt'), h('pre', {}, p.systemPrompt)) : null,
      h('div', { class: 'messages', role: 'list', 'aria-label': 'Messages' }, ...(p.messages || []).map((m) =>
        h('div', { class: 'message', role: 'listitem' }, h('div', { class: 'block-kind' }, m.role), h('pre', { class: 'text' }, text(m.content))))),
      h('p', { class: 'hint' }, `at most ${p.maxTokens} tokens`),
      h('div', { class: 'field' }, h('label', { for: 'sampling-reply' }, 'Reply'), reply),
      h('div', { class: 'field' }, h('label', { for: 'sampling-model' }, 'Model'), model),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, 'Send reply'),
        h('button', { type: 'button', onclick: () => answer({ refuse: 'the user rejected the sampling request' }) }, 'Reject')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      answer({ result: { role: 'assistant', content: { type: 'text', text: reply.value }, model: model.value, stopReason: 'endTurn' } });
    });
    return form;
  }

  function elicitation(p) {
    const buttons = (accept) => h('div', { class: 'actions' }, accept,
      h('button', { type: 'button', onclick: () => answer({ result: { action: 'decline' } }) }, 'Decline'),
      h('button', { type: 'button', onclick: () => answer({ result: { action: 'cancel' } }) }, 'Cancel'));
    if (p.mode === 'url') {
      const link = h('a', { href: p.url, target: '_blank', rel: 'noopener noreferrer' }, p.url);
      return h('form', { method: 'dialog', 'aria-label': 'Answer the URL request' },
        h('p', {}, p.message || ''), h('p', {}, 'The server asks you to open:'), h('p', {}, link),
        buttons(h('button', {
          type: 'button', class: 'primary',
          onclick: () => { window.open(p.url, '_blank', 'noopener'); answer({ result: { action: 'accept' } }); },
        }, 'Open and accept')));
    }
    const f = argumentsForm(p.requestedSchema || { type: 'object' });
    const form = h('form', { method: 'dialog', 'aria-label': 'Answer the elicitation' },
      h('p', {}, p.message || ''), f.el, buttons(h('button', { type: 'submit', class: 'primary' }, 'Accept')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      answer({ result: { action: 'accept', content: f.get() } });
    });
    return form;
  }

  function roots(p) {
    const area = h('textarea', { id: 'roots-answer', class: 'json', spellcheck: 'false' });
    area.value = (p.roots || []).map((r) => (r.name ? `${r.uri} ${r.name}` : r.uri)).join('\n');
    const form = h('form', { method: 'dialog', 'aria-label': 'Answer the roots request' },
      h('p', {}, 'The server asks which directories (roots) it may work in. These are the roots on offer; change them for this answer if you like.'),
      h('div', { class: 'field' }, h('label', { for: 'roots-answer' }, 'Roots: one per line, a URI and an optional name'), area),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, 'Send roots'),
        h('button', { type: 'button', onclick: () => answer({ refuse: 'the user declined to list roots' }) }, 'Refuse')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const list = area.value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
        const [uri, ...name] = l.split(/\s+/);
        return name.length ? { uri, name: name.join(' ') } : { uri };
      });
      answer({ result: { roots: list } });
    });
    return form;
  }

  const TITLES = {
    'sampling/createMessage': 'Sampling request',
    'elicitation/create': 'Elicitation request',
    'roots/list': 'Roots request',
  };

  function next() {
    if (shown || !queue.length) return;
    shown = queue[0];
    const p = shown.params || {};
    const body = shown.method === 'sampling/createMessage' ? sampling(p)
      : shown.method === 'elicitation/create' ? elicitation(p)
        : shown.method === 'roots/list' ? roots(p)
          : h('pre', {}, JSON.stringify(shown, null, 2));
    const title = TITLES[shown.method] || shown.method;
    dialog.replaceChildren(
      h('h2', { id: 'ask-title' }, `${title} from ${serverName(shown.server)}`),
      h('p', { class: 'hint' }, [shown.method,
        serverOf(shown.server)?.era === 'modern' ? 'an input request of a 2026-07-28 round: the server asks, then retries its request with the answers' : null,
        queue.length > 1 ? `${queue.length - 1} more waiting` : null].filter(Boolean).join(' · ')),
      body);
    dialog.setAttribute('aria-labelledby', 'ask-title');
    dialog.dataset.method = shown.method;
    if (!dialog.open) dialog.showModal();
    dialog.querySelector('input,textarea,select,button')?.focus();
  }

  // Escape refuses nothing by itself: it cancels, as the Cancel button does.
  dialog.addEventListener('cancel', (e) => {
    e.preventDefault();
    if (!shown) return;
    if (shown.method === 'sampling/createMessage') answer({ refuse: 'the user rejected the sampling request' });
    else if (shown.method === 'roots/list') answer({ refuse: 'the user declined to list roots' });
    else answer({ result: { action: 'cancel' } });
  });

  return {
    /** A new question from the live feed, or from `GET /api/asks`. */
    add(ask) {
      if (queue.some((a) => a.id === ask.id)) return;
      queue.push(ask);
      next();
    },
    /** The question `id` was answered or withdrawn. */
    gone: close,
  };
}
