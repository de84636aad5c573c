import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Debian's chromium, which Playwright drives (playwright-core downloads no browser). Missing on a
 * machine where apt-get works as root, it is installed here (as .ci/run does); undefined only on a
 * machine with neither, where the browser tests are skipped.
 */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

function installed(): string | undefined {
  return CANDIDATES.find((path) => existsSync(path));
}

export function findOrInstallChromium(): string | undefined {
  const found = installed();
  if (found) return found;
  const apt = ['/usr/bin/apt-get', '/bin/apt-get'].find((path) => existsSync(path));
  if (!apt || process.getuid?.() !== 0) return undefined;
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync(apt, ['update', '-qq'], { stdio: 'ignore', env, timeout: 300_000 });
    execFileSync(apt, ['install', '-y', '-qq', 'chromium'], { stdio: 'ignore', env, timeout: 600_000 });
  } catch {
    return undefined;
  }
  return installed();
}
