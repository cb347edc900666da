/**
 * Sign-in: a button that sends the browser to the organization's sign-in (Cognito managed login, or the local
 * OpenID provider), and what went wrong when the provider sent it back refused. No password is typed into this page.
 */
import { signIn } from '../auth';
import { h, replace } from '../dom';
import { main, notify, signedOutChrome } from '../shell';

/** The sign-in page; `message` says why it is shown (signed out, session ended), `error` what the provider refused. */
export function renderSignIn(message?: string, error?: string): void {
  signedOutChrome();
  const button = h(
    'button',
    { type: 'button', class: 'primary', 'data-testid': 'sign-in' },
    'Sign in',
  ) as HTMLButtonElement;
  button.addEventListener('click', () => {
    button.disabled = true;
    notify('info', 'Taking you to sign-in…');
    signIn(location.hash || '#/plans').catch((err) => {
      button.disabled = false;
      notify('error', `sign-in could not start: ${(err as Error).message}`);
    });
  });
  const card = h(
    'section',
    { class: 'login card', 'data-testid': 'sign-in-view', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in to approve IRSA fixes'),
    message ? h('p', { class: 'muted', 'data-testid': 'sign-in-message' }, message) : null,
    error ? h('p', { class: 'error', role: 'alert', 'data-testid': 'sign-in-error' }, error) : null,
    h(
      'p',
      {},
      "You sign in with your organization's account (single sign-on); this page never asks for your password.",
    ),
    button,
  );
  replace(main, card);
}
