// Bundles the extension (vscode-languageclient inside, `vscode` left to the editor) into dist/extension.js,
// then, with --package, packs it as a .vsix with @vscode/vsce: no npm run, no network (--no-dependencies).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
await build({
  entryPoints: [join(here, 'src', 'extension.mts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: join(here, 'dist', 'extension.js'),
  external: ['vscode'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const out = process.argv.indexOf('--package');
if (out >= 0) {
  const vsix = process.argv[out + 1] ?? join(here, 'netra-migrate.vsix');
  const vsce = join(here, '..', '..', 'node_modules', '@vscode', 'vsce', 'vsce');
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--no-update-package-json', '--out', vsix], {
    cwd: here,
    stdio: 'inherit',
  });
}
