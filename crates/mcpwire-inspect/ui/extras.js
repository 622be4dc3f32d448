// The Tasks and Skills views, for servers that offer them: the tasks the
// server runs (status, result, cancel) and the skills it publishes.

import { api, h } from './api.js';
import { renderResult } from './result.js';
import { preview } from './resources.js';

/** Whether server `s` declared the extension or capability `name`. */
export function offers(s, name) {
  const c = (s && s.capabilities) || {};
  return !!(c[name] || Object.keys(c.extensions || {}).some((k) => k.endsWith(`/${name}`)));
}

export function tasksView(root) {
  let server = null;
  const status = h('p', { class: 'hint', role: 'status' });
  const list = h('ul', { class: 'plain', 'aria-label': 'Tasks' });
  const detail = h('section', { class: 'tool', 'aria-label': 'Selected task', 'aria-live': 'polite' });
  const refresh = h('button', { type: 'button' }, 'Refresh');
  root.replaceChildren(h('div', { class: 'toollist' }, h('div', { class: 'actions' }, refresh, status), list), detail);

  async function show(id) {
    const out = h('div', { class: 'result' });
    const get = async () => {
      const r = await api(`/api/servers/${server.id}/tasks/${encodeURIComponent(id)}`);
      return r.ok ? r.result : { error: r.error };
    };
    const draw = async () => {
      const t = await get();
      const cancel = h('button', { type: 'button' }, 'Cancel task');
      cancel.addEventListener('click', async () => {
        const r = await api(`/api/servers/${server.id}/tasks/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
        out.append(r.ok ? h('p', {}, 'cancel sent') : h('pre', { class: 'error' }, r.error));
        draw();
      });
      const result = h('button', { type: 'button' }, 'Result');
      result.addEventListener('click', async () => {
        const r = await api(`/api/servers/${server.id}/tasks/${encodeURIComponent(id)}/result`);
        out.append(r.ok ? renderResult(r.result) : h('pre', { class: 'error' }, r.error));
      });
      detail.replaceChildren(...[h('h3', {}, h('code', {}, id)),
        h('p', { class: 'task-status', 'data-status': t.status || '' }, `status: ${t.status || t.error}`),
        t.statusMessage ? h('p', {}, t.statusMessage) : null,
        h('div', { class: 'actions' }, result, cancel, h('button', { type: 'button', onclick: draw }, 'Refresh')),
        h('details', {}, h('summary', {}, 'As sent'), h('pre', {}, JSON.stringify(t, null, 2))), out].filter(Boolean));
    };
    await draw();
  }

  async function load() {
    if (!server || server.state !== 'connected') { status.textContent = 'not connected'; return; }
    if (!offers(server, 'tasks')) { status.textContent = 'this server offers no tasks'; list.replaceChildren(); return; }
    try {
      const r = await api(`/api/servers/${server.id}/tasks`);
      list.replaceChildren(...r.tasks.map((t) => h('li', {},
        h('button', { type: 'button', class: 'link', onclick: () => show(t.taskId) }, t.taskId),
        h('div', { class: 'hint' }, t.status || ''))));
      status.textContent = `${r.tasks.length} tasks`;
    } catch (err) {
      status.textContent = err.message;
    }
  }
  refresh.addEventListener('click', load);

  return {
    setServer(s) {
      const same = server && s && server.id === s.id;
      server = s;
      if (!same) detail.replaceChildren();
      load();
    },
    /** Shows task `id` (one just created by "run as task"). */
    open(id) { load(); show(id); },
  };
}

export function skillsView(root) {
  let server = null;
  const status = h('p', { class: 'hint', role: 'status' });
  const list = h('ul', { class: 'plain', 'aria-label': 'Skills' });
  const detail = h('section', { class: 'tool', 'aria-label': 'Selected skill' });
  root.replaceChildren(h('div', { class: 'toollist' }, status, list), detail);

  async function read(skill) {
    const body = h('div', { class: 'result' }, h('p', { class: 'empty' }, 'Reading…'));
    detail.replaceChildren(h('h3', {}, skill.frontmatter?.name || skill.uri), h('p', {}, h('code', {}, skill.uri)), body);
    const r = await api(`/api/servers/${server.id}/read`, { method: 'POST', body: { uri: skill.uri } });
    body.replaceChildren(...(r.ok ? (r.result.contents || []).flatMap(preview) : [h('pre', { class: 'error' }, r.error)]));
  }

  return {
    async setServer(s) {
      server = s;
      list.replaceChildren();
      detail.replaceChildren();
      if (!s || s.state !== 'connected') { status.textContent = 'not connected'; return; }
      if (!offers(s, 'skills')) { status.textContent = 'this server offers no skills'; return; }
      const r = await api(`/api/servers/${s.id}/request`, { method: 'POST', body: { method: 'skills/list', params: {} } });
      if (server !== s) return;
      if (!r.ok) { status.textContent = r.error; return; }
      const skills = r.result.skills || [];
      list.replaceChildren(...skills.map((k) => h('li', {},
        h('button', { type: 'button', class: 'link', onclick: () => read(k) }, k.frontmatter?.name || k.uri),
        k.frontmatter?.description ? h('div', { class: 'hint' }, k.frontmatter.description) : null)));
      status.textContent = `${skills.length} skills`;
    },
  };
}
