// npm's `prepare`: build. One detour first: pre-commit installs a node hook with
// `npm install -g git+file://...`, and npm's preparation of that git dependency runs a nested
// `npm install --include=dev` that inherits `npm_config_global=true`; the dev dependencies then land in
// the global prefix, where the build cannot import them. Install them locally, without the flag, first.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let hasBuildTools = true;
try {
  require.resolve('esbuild');
} catch {
  hasBuildTools = false;
}
if (!hasBuildTools && /^(true|1)$/i.test(process.env.npm_config_global ?? '')) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.toLowerCase() !== 'npm_config_global'));
  execFileSync('npm', ['install', '--no-save', '--ignore-scripts', '--include=dev', '--no-audit', '--no-fund', '--no-package-lock'], {
    stdio: 'inherit',
    env,
  });
}
await import('./build.mjs');
