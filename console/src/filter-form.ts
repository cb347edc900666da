/**
 * A view's filters as a labelled form whose state is the URL fragment's query (fragment-query.ts): submitting it
 * goes to the filtered view (a history entry), "Clear" to the unfiltered one. Keyboard operable: native controls,
 * Enter submits.
 */
import { h } from './dom';
import { fragmentFor } from './fragment-query';

/** Goes to the view with these filters (a new history entry; the router re-draws on hashchange). */
function showFiltered(path: string, filters: Readonly<Record<string, string>>): void {
  const next = fragmentFor(path, filters);
  if (next !== location.hash) location.hash = next;
}

export interface FilterField {
  readonly name: string;
  readonly label: string;
  /** A select's choices as [value, label]; a text input without. */
  readonly choices?: readonly (readonly [string, string])[];
  readonly placeholder?: string;
  readonly maxLength?: number;
}

export function filterForm(path: string, fields: readonly FilterField[], params: URLSearchParams): HTMLElement {
  const controls = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const cells = fields.map((f) => {
    const id = `filter-${path}-${f.name}`;
    const control = f.choices
      ? (h(
          'select',
          { id, name: f.name, 'data-testid': id },
          ...f.choices.map(([value, label]) =>
            h('option', { value, selected: (params.get(f.name) ?? '') === value }, label),
          ),
        ) as HTMLSelectElement)
      : (h('input', {
          id,
          name: f.name,
          type: f.name === 'q' ? 'search' : 'text',
          value: params.get(f.name) ?? '',
          placeholder: f.placeholder,
          maxlength: f.maxLength ? String(f.maxLength) : undefined,
          autocomplete: 'off',
          'data-testid': id,
        }) as HTMLInputElement);
    controls.set(f.name, control);
    return h('div', { class: 'field' }, h('label', { for: id }, f.label), control);
  });
  const apply = h('button', { type: 'submit', class: 'primary', 'data-testid': `filter-${path}-apply` }, 'Apply');
  const clear = h('button', { type: 'button', class: 'plain', 'data-testid': `filter-${path}-clear` }, 'Clear');
  const form = h(
    'form',
    { class: 'filters card', role: 'search', 'aria-label': `Filter ${path}`, 'data-testid': `filter-${path}` },
    ...cells,
    h('div', { class: 'field actions' }, apply, clear),
  ) as HTMLFormElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values: Record<string, string> = {};
    for (const [name, control] of controls) values[name] = control.value;
    showFiltered(path, values);
  });
  clear.addEventListener('click', () => showFiltered(path, {}));
  return form;
}

/** "12 shown", with whether more follow: DynamoDB counts no total without reading everything. */
export function resultCount(shown: number, noun: string, page: number, more: boolean): HTMLElement {
  const text =
    shown === 0
      ? more
        ? `No ${noun} on page ${page} (the search stopped early); more may be on the next page`
        : `No ${noun}`
      : `${shown} ${shown === 1 ? noun.replace(/s$/, '') : noun} on page ${page}${more ? '; more on the next page' : page > 1 ? '; the last page' : ''}`;
  return h('p', { class: 'count', role: 'status', 'data-testid': 'result-count' }, text);
}

/** Resets a pager when the filters it pages through changed since it was last used. */
export function samePagesFor(key: string, last: { key?: string }, reset: () => void): void {
  if (last.key !== key) reset();
  last.key = key;
}
