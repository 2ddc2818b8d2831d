/**
 * The form to change one's own password: the current one, the new one twice, the rule shown above the fields. The
 * rule is read from the API's own schema (the minimum length), so the page and the server never disagree; what only
 * the server can tell (a wrong current password, a lockout) is shown beside the field it concerns.
 */
import passwordChange from '../../schemas/api/password-change.schema.json' with { type: 'json' };
import { h } from '../render/dom.js';
import { ctext } from './console.texts.js';
import { ApiError, type Dashboard } from './dashboard-api.js';

const MIN = passwordChange.properties.newPassword.minLength;

export interface ChangePasswordOptions {
  /** Asked at sign-in because someone else chose the password: says so. */
  required: boolean;
  /** Called once the password is changed and the fresh session token kept. */
  onChanged(): void | Promise<void>;
}

export function changePasswordForm(d: Dashboard, options: ChangePasswordOptions): HTMLElement {
  const lang = d.lang;
  const field = (id: string, label: string, autocomplete: string) => {
    const error = h('p', { class: 'error', id: `${id}-error`, role: 'alert' });
    const input = h('input', { type: 'password', id, autocomplete, required: true, 'aria-describedby': `${id}-error pw-policy` });
    return { input, error, nodes: [h('label', { class: 'field', for: id }, label), input, error] };
  };
  const current = field('current-password', ctext(lang, 'pwCurrent'), 'current-password');
  const fresh = field('new-password', ctext(lang, 'pwNew'), 'new-password');
  const repeat = field('repeat-password', ctext(lang, 'pwRepeat'), 'new-password');
  const general = h('p', { class: 'error', role: 'alert', id: 'password-error' });
  const form = h('form', { id: 'change-password', class: 'card narrow' },
    h('h1', {}, ctext(lang, 'pwTitle')),
    options.required ? h('p', { class: 'warning card', id: 'must-change' }, ctext(lang, 'pwMustChange')) : null,
    h('p', { class: 'hint', id: 'pw-policy' }, ctext(lang, 'pwPolicy', { min: MIN })),
    ...current.nodes, ...fresh.nodes, ...repeat.nodes,
    h('p', {}, h('button', { type: 'submit', class: 'primary', id: 'change-password-submit' }, ctext(lang, 'pwSubmit'))),
    general);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const e of [current.error, fresh.error, repeat.error, general]) e.textContent = '';
    const [currentPassword, newPassword, again] = [current.input.value, fresh.input.value, repeat.input.value];
    // What the page can tell by itself, before asking the server.
    if ([...newPassword].length < MIN) fresh.error.textContent = ctext(lang, 'pwTooShort', { min: MIN });
    else if (newPassword === currentPassword) fresh.error.textContent = ctext(lang, 'pwSame');
    else if (newPassword !== again) repeat.error.textContent = ctext(lang, 'pwMismatch');
    if (fresh.error.textContent || repeat.error.textContent) return;
    try {
      const answer = await d.send<{ token: string }>('POST', '/api/v1/me/password', { currentPassword, newPassword });
      // Every earlier token of the user has ended, this page's too: the answer's fresh one takes its place.
      await d.adoptToken(answer.token);
      await options.onChanged();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const errors = error.details.errors ?? [];
      if (errors.some((e) => e.path === '/currentPassword')) current.error.textContent = ctext(lang, 'pwWrongCurrent');
      else if (errors.some((e) => e.path === '/newPassword' && e.keyword === 'not')) fresh.error.textContent = ctext(lang, 'pwSame');
      else if (errors.some((e) => e.path === '/newPassword')) fresh.error.textContent = ctext(lang, 'pwTooShort', { min: MIN });
      else if (error.code === '429.2') general.textContent = ctext(lang, 'pwLocked', { until: new Date(String(error.details.until)).toLocaleTimeString(lang) });
      else general.textContent = error.code === 'network' ? error.message : ctext(lang, 'failed', { reason: error.message });
    }
  });
  return form;
}
