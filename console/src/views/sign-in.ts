/** Sign-in: user name and password against the user pool, with the new-password and authenticator challenges. */
import { answer, type SignInResult, signIn } from '../auth';
import { h, replace } from '../dom';
import { consoleConfig as config, main, notify, route, signedOutChrome } from '../shell';

export function renderSignIn(message?: string): void {
  signedOutChrome();
  const user = h('input', {
    type: 'text',
    name: 'username',
    autocomplete: 'username',
    required: true,
    'data-testid': 'username',
  }) as HTMLInputElement;
  const pass = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
    'data-testid': 'password',
  }) as HTMLInputElement;
  const form = h(
    'form',
    { class: 'login card' },
    h('h1', {}, 'Sign in to approve IRSA fixes'),
    message ? h('p', { class: 'muted' }, message) : null,
    h('label', {}, 'User name', h('br'), user),
    h('label', {}, 'Password', h('br'), pass),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'sign-in' }, 'Sign in'),
  ) as HTMLFormElement;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    signIn(config(), user.value, pass.value).then(afterSignIn, (err) => notify('error', (err as Error).message));
  });
  replace(main, form);
}

function afterSignIn(result: SignInResult): void {
  if (result.kind === 'signed-in') {
    notify('none');
    route();
    return;
  }
  const field = h('input', {
    type: result.challenge === 'NEW_PASSWORD_REQUIRED' ? 'password' : 'text',
    required: true,
    'data-testid': 'challenge',
  }) as HTMLInputElement;
  const form = h(
    'form',
    { class: 'login card' },
    h(
      'h1',
      {},
      result.challenge === 'NEW_PASSWORD_REQUIRED' ? 'Choose a new password' : 'Enter your authenticator code',
    ),
    field,
    h('button', { type: 'submit', class: 'primary' }, 'Continue'),
  ) as HTMLFormElement;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    answer(config(), result, field.value).then(afterSignIn, (err) => notify('error', (err as Error).message));
  });
  replace(main, form);
}
