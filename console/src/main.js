// Steward's web console: plain ES modules bundled into app.js (npm run build:console), no framework.
// It talks to the same API and stream as everything else (config.json says where they are).
import { finishIdentityProviderSignIn, signInPage } from './auth.js';
import { disposeCharts } from './charts.js';
import { credential, esc, loadConfig, SignedOut, unfollow } from './core.js';
import { auditPage } from './pages/audit.js';
import { deploymentPage } from './pages/deployment.js';
import { modelsPage, performancePage } from './pages/models.js';
import { alertsPage, incidentPage, incidentsPage } from './pages/monitoring.js';
import { configPage, healthPage, serviceOverviewPage, servicesPage } from './pages/services.js';

const main = document.getElementById('main');
const signOut = document.getElementById('sign-out');

/** The page for a route (`#/services/shop-api/health?x=y`): its parts and its query. */
function route() {
  const [path, search] = location.hash.replace(/^#\/?/, '').split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search ?? '') };
}

function page({ parts: [first, second, third], query }) {
  if (first === 'services' && second && third === 'health') return () => healthPage(main, second);
  if (first === 'services' && second && third === 'config') return () => configPage(main, second, query);
  if (first === 'services' && second && third === 'performance') return () => performancePage(main, second, query);
  if (first === 'services' && second) return () => serviceOverviewPage(main, second);
  if (first === 'models') return () => modelsPage(main);
  if (first === 'deployments' && third) return () => deploymentPage(main, second, third);
  if (first === 'alerts') return () => alertsPage(main);
  if (first === 'incidents' && second) return () => incidentPage(main, second);
  if (first === 'incidents') return () => incidentsPage(main);
  if (first === 'audit') return () => auditPage(main, query);
  return () => servicesPage(main);
}

let rendering = 0;
let previousPath = null;

async function render() {
  const mine = ++rendering;
  unfollow();
  disposeCharts();
  if (!credential.get()) {
    signOut.hidden = true;
    previousPath = null;
    signInPage(main, () => {
      previousPath = '';
      if (!location.hash || location.hash === '#/') location.hash = '#/services';
      else void render();
    });
    return;
  }
  signOut.hidden = false;
  const current = route();
  const section = current.parts[0] ?? 'services';
  for (const link of document.querySelectorAll('header nav a')) {
    if (link.getAttribute('href') === `#/${section}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const path = current.parts.join('/');
  const moved = previousPath !== null && path !== previousPath;
  previousPath = path;
  main.setAttribute('aria-busy', 'true');
  try {
    await page(current)();
  } catch (error) {
    if (mine !== rendering) return;
    if (error instanceof SignedOut) return render();
    main.innerHTML = `<h1>Something went wrong</h1><p class="error" role="alert">${esc(error.message)}</p>`;
  } finally {
    if (mine === rendering) main.removeAttribute('aria-busy');
  }
  if (mine !== rendering) return;
  document.title = `${main.querySelector('h1')?.textContent.trim() ?? 'Steward'} · Steward console`;
  // Moving to another page takes the focus to it (where a screen reader reads on); the first page
  // loaded, or a new search on the same page, leaves it where it is.
  if (moved) main.focus({ preventScroll: false });
}

signOut.addEventListener('click', () => {
  credential.clear();
  unfollow();
  location.hash = '';
  void render();
});
window.addEventListener('hashchange', () => void render());
// The skip link moves the focus without touching the route (the fragment holds the page).
document.querySelector('.skip').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

await loadConfig();
const problem = await finishIdentityProviderSignIn();
if (problem) {
  signInPage(main, () => void render(), problem);
} else {
  void render();
}
