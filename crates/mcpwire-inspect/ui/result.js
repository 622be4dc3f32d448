// A tool's result, rendered by kind: text, images, audio, resource links,
// embedded resources, and the structured content.

import { h } from './api.js';

function block(b) {
  switch (b && b.type) {
    case 'text':
      return [h('div', { class: 'block-kind' }, 'text'), h('pre', { class: 'text' }, b.text ?? '')];
    case 'image':
      return [h('div', { class: 'block-kind' }, `image · ${b.mimeType || ''}`),
        h('img', { src: `data:${b.mimeType};base64,${b.data}`, alt: 'image returned by the tool' })];
    case 'audio':
      return [h('div', { class: 'block-kind' }, `audio · ${b.mimeType || ''}`),
        h('audio', { controls: true, src: `data:${b.mimeType};base64,${b.data}`, 'aria-label': 'audio returned by the tool' })];
    case 'resource_link':
      return [h('div', { class: 'block-kind' }, 'resource link'),
        h('p', {}, h('code', {}, b.uri || ''), b.name ? ` — ${b.name}` : '', b.description ? ` — ${b.description}` : '')];
    case 'resource': {
      const r = b.resource || {};
      const body = typeof r.text === 'string'
        ? h('pre', {}, r.text)
        : h('p', { class: 'empty' }, `binary, ${r.blob ? Math.floor((r.blob.length * 3) / 4) : 0} bytes`);
      return [h('div', { class: 'block-kind' }, `embedded resource · ${r.mimeType || ''}`),
        h('p', {}, h('code', {}, r.uri || '')), body];
    }
    default:
      return [h('div', { class: 'block-kind' }, (b && b.type) || 'unknown'), h('pre', {}, JSON.stringify(b, null, 2))];
  }
}

/**
 * The element showing `result` (a CallToolResult); `check` is the
 * inspector's check of its structured content against the tool's
 * outputSchema (`null` when the tool declares none).
 */
export function renderResult(result, check) {
  const out = h('div', {});
  if (result.isError) out.append(h('p', { class: 'error' }, 'The tool reported an error.'));
  for (const b of result.content || []) out.append(...block(b));
  if (result.structuredContent !== undefined && result.structuredContent !== null) {
    out.append(h('div', { class: 'block-kind' }, 'structured content'),
      h('pre', { class: 'structured' }, JSON.stringify(result.structuredContent, null, 2)));
  }
  if (check) {
    out.append(check.ok
      ? h('p', { class: 'schema-check ok', 'data-ok': 'true' }, 'structured content matches the outputSchema')
      : h('div', { class: 'schema-check error', 'data-ok': 'false', role: 'alert' },
        h('p', {}, 'structured content does not match the outputSchema:'),
        h('ul', {}, ...(check.errors || []).map((e) => h('li', {}, e)))));
  }
  if (!(result.content || []).length && result.structuredContent == null) {
    out.append(h('pre', {}, JSON.stringify(result, null, 2)));
  }
  return out;
}
