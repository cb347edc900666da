/**
 * The approval console: pending plans grouped by account and cluster; one plan with its findings, the error pods
 * see, the evidence, the exact diff and the proof; approve or reject per plan or per selection, with a comment; the
 * history of applied changes with rollback; the mutelist. Lists come a page at a time (next, previous). Routes are in
 * the URL fragment (console/src/routes.ts); each view is a module under console/src/views. Sign-in is the
 * authorization code flow with PKCE (auth.ts): the provider sends the browser back here with a code in the query.
 */
import { type ConsoleConfig, claimsOf, completeSignIn, freshToken, initAuth, isSignInCallback, signOut } from './auth';
import { focusHeading } from './dom';
import { viewFor } from './routes';
import { consoleConfig, fail, initShell, main, notify, signedInChrome } from './shell';
import { renderSignIn } from './views/sign-in';

async function route(): Promise<void> {
  const t = await freshToken();
  if (!t) {
    renderSignIn();
    return;
  }
  const claims = claimsOf(t) ?? {};
  signedInChrome(String(claims['cognito:username'] ?? claims.email ?? ''));
  const { route: view, params } = viewFor(location.hash);
  await view.render(...params);
  focusHeading(main);
}

/** The provider sent the browser back: exchange the code, then show the view the person started from. */
async function callback(): Promise<boolean> {
  try {
    const returnTo = await completeSignIn();
    history.replaceState(null, '', `${location.pathname}${returnTo}`);
    return true;
  } catch (err) {
    history.replaceState(null, '', location.pathname);
    renderSignIn(undefined, `Sign-in did not complete: ${(err as Error).message}`);
    return false;
  }
}

async function start(): Promise<void> {
  const config = (await (await fetch('config.json', { cache: 'no-store' })).json()) as ConsoleConfig;
  const go = () => route().catch(fail);
  initShell({ config, route: go, sessionEnded: (message) => renderSignIn(message) });
  await initAuth(config);
  document.getElementById('sign-out')?.addEventListener('click', () => {
    signOut(consoleConfig().signOutUrl).catch(fail);
  });
  // The skip link moves focus to the main area's heading without changing the route in the fragment.
  document.querySelector('.skip-link')?.addEventListener('click', (e) => {
    e.preventDefault();
    focusHeading(main);
  });
  window.addEventListener('hashchange', () => {
    notify('none');
    go();
  });
  if (isSignInCallback(location.search) && !(await callback())) return;
  await go();
}

start().catch((err) => notify('error', `the console could not start: ${(err as Error).message}`));
