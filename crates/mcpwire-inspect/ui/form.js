// A form generated from a tool's input schema (JSON Schema): nested
// objects, arrays, enums, $ref/$defs, anyOf/oneOf, nullable types and
// defaults. Each field is labelled with its argument name.

import { h } from './api.js';

let seq = 0;
const nextId = () => `f${++seq}`;
const MAX_DEPTH = 24;

/** Follows `$ref`s (local ones: `#/$defs/X`, `#/definitions/X`). */
function resolve(schema, root, depth = 0) {
  let s = schema;
  let hops = 0;
  while (s && typeof s === 'object' && typeof s.$ref === 'string' && hops < MAX_DEPTH) {
    const target = lookup(root, s.$ref);
    const { $ref, ...rest } = s;
    s = { ...(target || {}), ...rest };
    hops++;
  }
  return s && typeof s === 'object' ? s : {};
}

function lookup(root, ref) {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return null;
  let node = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!node || typeof node !== 'object') return null;
    node = node[key];
  }
  return node;
}

function typesOf(s) {
  return Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
}

function labelEl(id, name) {
  return h('label', { for: id }, name);
}

function hint(s, extra, required) {
  const parts = [];
  if (required) parts.push('required');
  if (s.description) parts.push(s.description);
  if (extra) parts.push(extra);
  return parts.length ? h('div', { class: 'hint' }, parts.join(' · ')) : null;
}

/**
 * Builds the field of `schema` for the value `name`: returns
 * `{ el, get }`, where `get()` is the value (undefined when left empty).
 */
export function field(schema, root, name, required, initial, depth = 0) {
  const s = resolve(schema, root);
  if (depth > MAX_DEPTH) return jsonField(s, name, required, initial);
  const variants = s.anyOf || s.oneOf;
  const types = typesOf(s);
  const nullBranch = Array.isArray(variants) && variants.some((v) => typesOf(resolve(v, root)).includes('null'));
  if (types.includes('null') || s.nullable === true || nullBranch) {
    const inner = { ...s };
    delete inner.nullable;
    if (types.includes('null')) {
      const rest = types.filter((t) => t !== 'null');
      inner.type = rest.length === 1 ? rest[0] : rest;
      if (rest.length === 0) delete inner.type;
    }
    if (nullBranch) {
      const rest = variants.filter((v) => !typesOf(resolve(v, root)).includes('null'));
      delete inner.anyOf;
      delete inner.oneOf;
      if (rest.length === 1) Object.assign(inner, resolve(rest[0], root));
      else inner.anyOf = rest;
    }
    return nullable(inner, root, name, required, initial, depth);
  }
  if (s.const !== undefined) {
    const id = nextId();
    return {
      el: h('div', { class: 'field' }, labelEl(id, name),
        h('input', { id, value: JSON.stringify(s.const), readOnly: true }), hint(s, 'constant')),
      get: () => s.const,
    };
  }
  if (Array.isArray(s.enum)) return enumField(s, name, required, initial);
  if (Array.isArray(variants) && variants.length > 0) {
    return variantField(s, variants, root, name, required, initial, depth);
  }
  if (Array.isArray(s.allOf)) {
    const merged = { ...s, properties: { ...(s.properties || {}) }, required: [...(s.required || [])] };
    delete merged.allOf;
    for (const part of s.allOf) {
      const p = resolve(part, root);
      Object.assign(merged.properties, p.properties || {});
      merged.required.push(...(p.required || []));
      if (!merged.type && p.type) merged.type = p.type;
    }
    return field(merged, root, name, required, initial, depth);
  }
  const type = types[0] || (s.properties ? 'object' : s.items ? 'array' : undefined);
  const value = initial !== undefined ? initial : s.default;
  switch (type) {
    case 'object': return objectField(s, root, name, required, value, depth);
    case 'array': return arrayField(s, root, name, required, value, depth);
    case 'boolean': return booleanField(s, name, required, value);
    case 'integer':
    case 'number': return numberField(s, type, name, required, value);
    case 'string': return stringField(s, name, required, value);
    default: return jsonField(s, name, required, value);
  }
}

function nullable(inner, root, name, required, initial, depth) {
  const id = nextId();
  const sub = field(inner, root, name, required, initial === null ? undefined : initial, depth + 1);
  const box = h('input', { type: 'checkbox', id, checked: initial === null });
  const sync = () => { sub.el.hidden = box.checked; };
  box.addEventListener('change', sync);
  sync();
  return {
    el: h('div', { class: 'nullable-wrap' }, sub.el,
      h('div', { class: 'nullable' }, box, ' ', h('label', { for: id }, `${name} is null`))),
    get: () => (box.checked ? null : sub.get()),
  };
}

function enumField(s, name, required, initial) {
  const id = nextId();
  const value = initial !== undefined ? initial : s.default;
  const select = h('select', { id, required: !!required });
  if (!required || value === undefined) select.append(h('option', { value: '' }, '(none)'));
  s.enum.forEach((v, i) => {
    select.append(h('option', { value: String(i), selected: JSON.stringify(v) === JSON.stringify(value) },
      typeof v === 'string' ? v : JSON.stringify(v)));
  });
  return {
    el: h('div', { class: 'field' }, labelEl(id, name), select, hint(s, undefined, required)),
    get: () => (select.value === '' ? undefined : s.enum[Number(select.value)]),
  };
}

function variantField(s, variants, root, name, required, initial, depth) {
  const id = nextId();
  const select = h('select', { id });
  variants.forEach((v, i) => {
    const r = resolve(v, root);
    const title = r.title || (v.$ref ? v.$ref.split('/').pop() : '') || typesOf(r).join('|') || `option ${i + 1}`;
    select.append(h('option', { value: String(i) }, title));
  });
  const holder = h('div');
  let sub = null;
  const build = (value) => {
    const base = { ...s };
    delete base.anyOf;
    delete base.oneOf;
    sub = field({ ...base, ...resolve(variants[Number(select.value)], root) }, root, name, required, value, depth + 1);
    holder.replaceChildren(sub.el);
  };
  select.addEventListener('change', () => build(undefined));
  build(initial);
  return {
    el: h('div', { class: 'field' }, h('label', { for: id }, `${name} (variant)`), select, holder),
    get: () => sub.get(),
  };
}

function objectField(s, root, name, required, value, depth) {
  const props = s.properties || {};
  const req = new Set(s.required || []);
  const given = value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  const fields = Object.entries(props).map(([key, sub]) => [key, field(sub, root, key, req.has(key), given[key], depth + 1)]);
  if (fields.length === 0) {
    // An object of no declared properties: its members as JSON.
    return jsonField(s, name, required, value);
  }
  const body = fields.map(([, f]) => f.el);
  const el = name === null
    ? h('div', { class: 'object-root' }, body)
    : h('fieldset', {}, h('legend', {}, name), hint(s), body);
  return {
    el,
    get: () => {
      const out = {};
      for (const [key, f] of fields) {
        const v = f.get();
        if (v !== undefined) out[key] = v;
      }
      return name !== null && !required && Object.keys(out).length === 0 ? undefined : out;
    },
  };
}

function arrayField(s, root, name, required, value, depth) {
  const list = h('div', { class: 'items' });
  const items = [];
  const itemSchema = s.items && typeof s.items === 'object' ? s.items : {};
  const add = (v) => {
    const f = field(itemSchema, root, `${name}[${items.length}]`, true, v, depth + 1);
    const row = h('div', { class: 'item' }, f.el);
    const entry = { f, row };
    row.append(h('button', {
      type: 'button', 'aria-label': `Remove item of ${name}`,
      onclick: () => { items.splice(items.indexOf(entry), 1); row.remove(); },
    }, 'Remove'));
    items.push(entry);
    list.append(row);
  };
  if (Array.isArray(value)) value.forEach(add);
  return {
    el: h('fieldset', {}, h('legend', {}, name),
      hint(s, 'list', required), list,
      h('button', { type: 'button', onclick: () => add(undefined), 'aria-label': `Add item to ${name}` }, 'Add item')),
    get: () => {
      const out = items.map((e) => e.f.get()).filter((v) => v !== undefined);
      return out.length === 0 && !required ? undefined : out;
    },
  };
}

function booleanField(s, name, required, value) {
  const id = nextId();
  const select = h('select', { id });
  if (!required) select.append(h('option', { value: '' }, '(none)'));
  select.append(h('option', { value: 'true', selected: value === true }, 'true'));
  select.append(h('option', { value: 'false', selected: value === false }, 'false'));
  return {
    el: h('div', { class: 'field' }, labelEl(id, name), select, hint(s, undefined, required)),
    get: () => (select.value === '' ? undefined : select.value === 'true'),
  };
}

function numberField(s, type, name, required, value) {
  const id = nextId();
  const input = h('input', {
    id, type: 'number', step: type === 'integer' ? '1' : 'any', required: !!required,
    value: value !== undefined && value !== null ? String(value) : undefined,
    min: s.minimum !== undefined ? String(s.minimum) : undefined,
    max: s.maximum !== undefined ? String(s.maximum) : undefined,
  });
  return {
    el: h('div', { class: 'field' }, labelEl(id, name), input, hint(s, type, required)),
    get: () => (input.value === '' ? undefined : Number(input.value)),
  };
}

function stringField(s, name, required, value) {
  const id = nextId();
  const long = (s.maxLength || 0) > 200 || s.format === 'textarea';
  const input = h(long ? 'textarea' : 'input', {
    id, required: !!required, autocomplete: 'off',
    placeholder: s.format || undefined,
  });
  if (value !== undefined && value !== null) input.value = String(value);
  return {
    el: h('div', { class: 'field' }, labelEl(id, name), input, hint(s, undefined, required)),
    get: () => (input.value === '' && !required ? undefined : input.value),
  };
}

function jsonField(s, name, required, value) {
  const id = nextId();
  const area = h('textarea', { id, class: 'json', rows: 3, placeholder: 'JSON' });
  if (value !== undefined) area.value = JSON.stringify(value, null, 2);
  return {
    el: h('div', { class: 'field' }, labelEl(id, name), area, hint(s, 'JSON', required)),
    get: () => {
      if (area.value.trim() === '') return undefined;
      try { return JSON.parse(area.value); } catch { throw new Error(`${name}: not valid JSON`); }
    },
  };
}

/**
 * The form of a tool's arguments: `{ el, get }`, `get()` giving the
 * arguments object.
 */
export function argumentsForm(schema, initial) {
  const root = schema && typeof schema === 'object' ? schema : { type: 'object' };
  const s = resolve(root, root);
  if (!s.properties || Object.keys(s.properties).length === 0) {
    if (s.type === 'object' && !s.anyOf && !s.oneOf) {
      return { el: h('p', { class: 'empty' }, 'This tool takes no arguments.'), get: () => ({}) };
    }
  }
  const f = s.properties ? objectField(s, root, null, true, initial, 0) : field(s, root, 'arguments', true, initial, 0);
  return { el: f.el, get: () => f.get() || {} };
}
