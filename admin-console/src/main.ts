// The merchant console: sign in with the shop's admin token, then a hash router renders one view at a time into
// <main>, moves focus to its heading and marks the nav. Loaded as the page's only script (the CSP allows no other).
import { api, ApiError, token } from './api';
import { hideBanner, refreshBanner } from './banner';
import { $, field, h, values } from './dom';
import { HOME, ROUTES } from './routes';
import { alertText, explain } from './view';

const main = $('[data-main]')!;
const nav = $('[data-nav]')!;
const signOut = $<HTMLButtonElement>('[data-sign-out]')!;
$('[data-host]')!.textContent = location.host;

function showSignIn(message = ''): void {
  nav.hidden = true;
  hideBanner();
  signOut.hidden = true;
  document.title = 'Sign in · Shop console';
  const input = h('input', { name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const form = h(
    'form',
    { class: 'stack signin', 'data-sign-in': true },
    h('h1', { tabindex: -1 }, 'Sign in'),
    h('p', { class: 'muted' }, `Enter the admin token of the shop at ${location.host}. It is kept in this tab only, until you close it.`),
    field('Admin token', input),
    h('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const candidate = values(form).token ?? '';
    const button = form.querySelector('button')!;
    button.disabled = true;
    try {
      if (!(await api.check(candidate))) {
        alertText('That token is not valid for this shop. Check it and try again.');
        input.select();
        return;
      }
      token.set(candidate);
      alertText('');
      if (!location.hash || location.hash === '#') location.hash = HOME;
      else await route();
    } catch (error) {
      alertText(explain(error));
    } finally {
      button.disabled = false;
    }
  });
  main.replaceChildren(form);
  alertText(message);
  input.focus();
}

async function route(): Promise<void> {
  if (!token.get()) return showSignIn();
  nav.hidden = false;
  signOut.hidden = false;
  const [path = '', search = ''] = location.hash.slice(1).split('?');
  const found = ROUTES.map(([pattern, view]) => ({ match: pattern.exec(path), view })).find((r) => r.match);
  if (!found) {
    location.replace(HOME);
    return;
  }
  const params = found.match!.slice(1).map(decodeURIComponent);
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.section === found.view.section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${found.view.title(params)} · Shop console`;
  main.setAttribute('aria-busy', 'true');
  void refreshBanner();
  try {
    const page = await found.view.render(params, new URLSearchParams(search));
    main.replaceChildren(page);
    alertText('');
    main.querySelector<HTMLElement>('h1')?.focus();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      token.clear();
      return showSignIn('The shop no longer accepts this token. Sign in again.');
    }
    alertText(explain(error));
  } finally {
    main.setAttribute('aria-busy', 'false');
  }
}

signOut.addEventListener('click', () => {
  token.clear();
  history.replaceState(null, '', location.pathname);
  showSignIn('Signed out.');
});
window.addEventListener('hashchange', () => void route());
void route();
