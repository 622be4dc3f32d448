// The Tools view: a filterable list that renders only the rows in sight
// (thousands of tools stay fast), and the selected tool's form, Call
// button and result.

import { api, h } from './api.js';
import { argumentsForm } from './form.js';
import { renderResult } from './result.js';
import { stepOf } from './collections.js';
import { renderApp, uiOf } from './apps.js';

const ROW = 44;

export function toolsView(root, { onTask, onSave } = {}) {
  let server = null;
  // The running call's progress handler, by its call id.
  const progressOf = new Map();
  let tools = [];
  let shown = [];
  let active = -1;
  let selected = null;

  const filter = h('input', { id: 'tool-filter', type: 'search', autocomplete: 'off', placeholder: 'name or description' });
  const count = h('div', { class: 'count', role: 'status', 'aria-live': 'polite' });
  const spacer = h('div', { class: 'spacer' });
  const list = h('div', { class: 'vlist', role: 'listbox', tabindex: '0', 'aria-label': 'Tools' }, spacer);
  const detail = h('section', { class: 'tool', 'aria-label': 'Selected tool' });
  root.replaceChildren(
    h('div', { class: 'toollist' }, h('label', { for: 'tool-filter' }, 'Filter tools'), filter, count, list),
    detail,
  );

  const applyFilter = () => {
    const q = filter.value.trim().toLowerCase();
    shown = q ? tools.filter((t) => t._hay.includes(q)) : tools;
    count.textContent = q ? `${shown.length} of ${tools.length} tools` : `${tools.length} tools`;
    active = selected ? shown.indexOf(selected) : -1;
    list.scrollTop = 0;
    render();
  };

  function render() {
    spacer.style.height = `${shown.length * ROW}px`;
    const first = Math.max(0, Math.floor(list.scrollTop / ROW) - 2);
    const last = Math.min(shown.length, first + Math.ceil((list.clientHeight || 600) / ROW) + 4);
    const rows = [];
    for (let i = first; i < last; i++) {
      const t = shown[i];
      const row = h('div', {
        class: 'row', role: 'option', id: `tool-row-${i}`, 'aria-selected': String(t === selected), 'data-name': t.name,
        onclick: () => { active = i; select(t); },
      }, h('div', { class: 'name' }, t.title || t.name), h('div', { class: 'desc' }, t.description || ''));
      row.style.top = `${i * ROW}px`;
      rows.push(row);
    }
    list.replaceChildren(spacer, ...rows);
    if (active >= first && active < last) list.setAttribute('aria-activedescendant', `tool-row-${active}`);
    else list.removeAttribute('aria-activedescendant');
  }

  list.addEventListener('scroll', () => requestAnimationFrame(render));
  filter.addEventListener('input', applyFilter);
  list.addEventListener('keydown', (e) => {
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    let next = active;
    if (e.key in moves) next = Math.min(shown.length - 1, Math.max(0, active + moves[e.key]));
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = shown.length - 1;
    else if (e.key === 'Enter' && selected) { detail.querySelector('input,select,textarea,button')?.focus(); e.preventDefault(); return; }
    else return;
    e.preventDefault();
    if (next < 0) return;
    active = next;
    const top = active * ROW;
    if (top < list.scrollTop) list.scrollTop = top;
    else if (top + ROW > list.scrollTop + list.clientHeight) list.scrollTop = top + ROW - list.clientHeight;
    select(shown[active]);
  });

  function select(tool) {
    selected = tool;
    render();
    showTool(tool);
  }

  function showTool(tool) {
    let raw = false;
    let form = argumentsForm(tool.inputSchema);
    const formBox = h('div', { class: 'form-box' }, form.el);
    const rawArea = h('textarea', { id: 'raw-args', class: 'json', spellcheck: 'false' });
    const rawBox = h('div', { class: 'field', hidden: true }, h('label', { for: 'raw-args' }, 'Arguments (JSON)'), rawArea);
    const toggle = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Raw JSON');
    const result = h('div', { class: 'result', role: 'region', 'aria-label': 'Result', 'aria-live': 'polite' });
    const status = h('p', { class: 'error', role: 'alert', hidden: true });
    toggle.addEventListener('click', () => {
      try {
        if (!raw) {
          rawArea.value = JSON.stringify(form.get(), null, 2);
        } else {
          const parsed = rawArea.value.trim() ? JSON.parse(rawArea.value) : {};
          form = argumentsForm(tool.inputSchema, parsed);
          formBox.replaceChildren(form.el);
        }
      } catch (err) {
        status.textContent = err.message;
        status.hidden = false;
        return;
      }
      status.hidden = true;
      raw = !raw;
      toggle.setAttribute('aria-pressed', String(raw));
      formBox.hidden = raw;
      rawBox.hidden = !raw;
      // The hidden form's required fields must not block a raw call.
      el.noValidate = raw;
    });
    const call = h('button', { type: 'submit', class: 'primary' }, 'Call');
    const cancel = h('button', { type: 'button', hidden: true }, 'Cancel');
    const asTaskBox = h('input', { type: 'checkbox', id: 'as-task', checked: !!(tool.execution && tool.execution.taskSupport === 'required') });
    const canTask = tool.execution && tool.execution.taskSupport && tool.execution.taskSupport !== 'forbidden';
    const asTask = h('label', { class: 'check', hidden: !canTask }, asTaskBox, ' Run as task');
    const bar = h('progress', { id: 'call-progress', hidden: true, 'aria-label': 'Progress' });
    const barText = h('span', { class: 'hint', role: 'status' });
    const el = h('form', { 'aria-label': `Arguments of ${tool.name}` },
      formBox, rawBox, h('div', { class: 'actions' }, call, toggle, asTask, cancel),
      h('div', { class: 'actions' }, bar, barText), status);
    el.addEventListener('submit', async (e) => {
      e.preventDefault();
      let args;
      try {
        args = raw ? (rawArea.value.trim() ? JSON.parse(rawArea.value) : {}) : form.get();
      } catch (err) {
        status.textContent = err.message;
        status.hidden = false;
        return;
      }
      status.hidden = true;
      call.disabled = true;
      result.replaceChildren(h('p', { class: 'empty' }, 'Calling…'));
      const callId = crypto.randomUUID();
      const onCancel = () => api(`/api/servers/${server.id}/cancel`, { method: 'POST', body: { callId } }).catch(() => {});
      cancel.addEventListener('click', onCancel);
      cancel.hidden = false;
      bar.hidden = true;
      barText.textContent = '';
      progressOf.set(callId, (p) => {
        bar.hidden = false;
        if (typeof p.total === 'number' && p.total > 0) { bar.max = p.total; bar.value = p.progress; } else bar.removeAttribute('value');
        barText.textContent = `${p.progress}${typeof p.total === 'number' ? ` / ${p.total}` : ''}${p.message ? ` · ${p.message}` : ''}`;
      });
      const t0 = performance.now();
      try {
        const body = { name: tool.name, arguments: args, callId, task: asTaskBox.checked };
        const r = await api(`/api/servers/${server.id}/call`, { method: 'POST', body });
        const rtt = performance.now() - t0;
        result.classList.toggle('is-error', !r.ok || !!(r.result && r.result.isError));
        const timing = h('p', { class: 'timing' },
          `server call ${r.ms.toFixed(2)} ms · round trip ${rtt.toFixed(2)} ms`);
        result.dataset.callMs = String(r.ms);
        result.dataset.roundTripMs = String(rtt);
        let shown;
        if (!r.ok) shown = h('pre', { class: 'error' }, r.error);
        else if (r.task) {
          shown = h('p', {}, `The server runs it as task `, h('code', {}, r.task.taskId), ` (${r.task.status}). `,
            h('button', { type: 'button', onclick: () => onTask && onTask(r.task.taskId) }, 'Show in Tasks'));
        } else shown = renderResult(r.result, r.schemaCheck);
        const keep = r.ok && r.result && onSave
          ? h('button', { type: 'button', onclick: (ev) => { onSave(stepOf(tool.name, args, r.result)); ev.target.disabled = true; ev.target.textContent = 'Saved'; } }, 'Save to collection')
          : null;
        const appUri = r.ok && r.result ? uiOf(tool) : null;
        const appBox = appUri ? h('div', { class: 'app', role: 'region', 'aria-label': 'App' }) : null;
        result.replaceChildren(...[timing, keep, shown, appBox].filter(Boolean));
        if (appBox) renderApp(appBox, server, tool, appUri, args, r.result, (n) => tools.find((t) => t.name === n));
      } catch (err) {
        result.replaceChildren(h('pre', { class: 'error' }, err.message));
      } finally {
        progressOf.delete(callId);
        cancel.removeEventListener('click', onCancel);
        cancel.hidden = true;
        call.disabled = false;
      }
    });
    const ann = tool.annotations ? Object.entries(tool.annotations).map(([k, v]) => `${k}: ${v}`).join(' · ') : '';
    detail.replaceChildren(...[
      h('h3', {}, tool.title || tool.name),
      tool.title ? h('p', {}, h('code', {}, tool.name)) : null,
      tool.description ? h('p', {}, tool.description) : null,
      ann ? h('p', { class: 'hint' }, ann) : null,
      el,
      tool.outputSchema ? h('details', {}, h('summary', {}, 'Output schema'), h('pre', {}, JSON.stringify(tool.outputSchema, null, 2))) : null,
      result,
    ].filter(Boolean));
  }

  return {
    /** A progress event of the live feed. */
    progress(ev) {
      const f = progressOf.get(ev.callId);
      if (f && server && ev.server === server.id) f(ev.progress || {});
    },
    /** Shows the tools of `s` (a server summary), loading them. */
    async setServer(s) {
      const same = server && s && server.id === s.id;
      server = s;
      if (!same) { selected = null; detail.replaceChildren(); }
      if (!s || s.state !== 'connected') {
        tools = [];
        applyFilter();
        count.textContent = s ? 'not connected' : 'no server';
        return;
      }
      if (s.capabilities && !s.capabilities.tools) {
        tools = [];
        applyFilter();
        count.textContent = 'this server offers no tools';
        return;
      }
      try {
        const r = await api(`/api/servers/${s.id}/tools`);
        if (server !== s) return;
        tools = r.tools.map((t) => ({ ...t, _hay: `${t.name} ${t.title || ''} ${t.description || ''}`.toLowerCase() }));
        if (selected) selected = tools.find((t) => t.name === selected.name) || null;
        applyFilter();
        document.body.dataset.toolsReady = String(s.id);
      } catch (err) {
        count.textContent = `tools/list failed: ${err.message}`;
      }
    },
  };
}
