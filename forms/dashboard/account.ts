/** /dashboard/account: change one's own password (every role). */
import { changePasswordForm } from './account-form.js';
import { CONSOLE_TEXTS, ctext } from './console.texts.js';
import { startDashboard } from './shell.js';

const titles = { en: CONSOLE_TEXTS.en.page_account, ru: CONSOLE_TEXTS.ru.page_account, kk: CONSOLE_TEXTS.kk.page_account };

startDashboard(titles, (d, main) => {
  const done = h2Notice();
  main.replaceChildren(done, changePasswordForm(d, {
    required: false,
    onChanged: () => {
      done.textContent = ctext(d.lang, 'pwChanged');
      for (const input of main.querySelectorAll('input')) input.value = '';
    },
  }));
}, { page: 'account' });

function h2Notice(): HTMLElement {
  const p = document.createElement('p');
  p.id = 'password-changed';
  p.setAttribute('role', 'status');
  p.className = 'notice';
  return p;
}
