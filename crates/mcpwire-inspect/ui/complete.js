// Argument completion (`completion/complete`) for a text input: the
// server's suggestions appear in a datalist as the person types.

import { api, h } from './api.js';

let seq = 0;

/**
 * Completes `input` (argument `name` of reference `ref`) from the server
 * `getServer()` returns; `context()` gives the other arguments' values.
 */
export function completer(input, getServer, ref, name, context) {
  const list = h('datalist', { id: `complete-${++seq}` });
  input.setAttribute('list', list.id);
  input.after(list);
  let asked = 0;
  let timer = null;
  const ask = async () => {
    const server = getServer();
    if (!server || !(server.capabilities && server.capabilities.completions)) return;
    const mine = ++asked;
    const others = Object.fromEntries(Object.entries(context()).filter(([k, v]) => k !== name && v !== ''));
    const body = { ref, argument: { name, value: input.value } };
    if (Object.keys(others).length) body.context = { arguments: others };
    try {
      const r = await api(`/api/servers/${server.id}/complete`, { method: 'POST', body });
      if (mine !== asked || !r.ok) return;
      const values = (r.result.completion && r.result.completion.values) || [];
      list.replaceChildren(...values.slice(0, 100).map((v) => h('option', { value: v })));
      input.dataset.completions = values.join('\n');
    } catch { /* completion is a help, not a must */ }
  };
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(ask, 120); });
  input.addEventListener('focus', ask);
}
