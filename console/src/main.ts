/**
 * The approval console: pending plans grouped by account and cluster; one plan with its findings, the error pods
 * see, the evidence, the exact diff and the proof; approve or reject per plan or per selection, with a comment; the
 * history of applied changes with rollback; the mutelist. Lists come a page at a time (next, previous). Routes are in
 * the URL fragment (console/src/routes.ts); each view is a module under console/src/views.
 */
import { type ConsoleConfig, claimsOf, signOut, token } from './auth';
import { focusHeading } from './dom';
import { viewFor } from './routes';
import { fail, initShell, main, notify, signedInChrome } from './shell';
import { renderSignIn } from './views/sign-in';

function route(): void {
  const t = token();
  if (!t) {
    renderSignIn();
    return;
  }
  const claims = claimsOf(t) ?? {};
  signedInChrome(String(claims['cognito:username'] ?? claims.email ?? ''));
  const { route: view, params } = viewFor(location.hash);
  view
    .render(...params)
    .then(() => focusHeading(main))
    .catch(fail);
}

async function start(): Promise<void> {
  const config = (await (await fetch('config.json', { cache: 'no-store' })).json()) as ConsoleConfig;
  initShell({ config, route, sessionEnded: (message) => renderSignIn(message) });
  document.getElementById('sign-out')?.addEventListener('click', () => {
    signOut();
    renderSignIn('Signed out.');
  });
  // The skip link moves focus to the main area's heading without changing the route in the fragment.
  document.querySelector('.skip-link')?.addEventListener('click', (e) => {
    e.preventDefault();
    focusHeading(main);
  });
  window.addEventListener('hashchange', () => {
    notify('none');
    route();
  });
  route();
}

start().catch((err) => notify('error', `the console could not start: ${(err as Error).message}`));
