// Make .cache/venv: a Python virtualenv with the exact tools the tests run (test/python-requirements.txt).
// Idempotent and fast when nothing changed (a stamp holds the requirements' hash). pip reaches only the
// machine's local index; `--retries 0` keeps it from waiting on indexes it cannot reach.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const venv = join(root, '.cache', 'venv');
const requirements = join(root, 'test', 'python-requirements.txt');
const stamp = join(venv, '.requirements-sha256');
const wanted = createHash('sha256').update(readFileSync(requirements)).digest('hex');

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) process.exit(0);

const python = process.env.PYTHON ?? 'python3';
mkdirSync(dirname(venv), { recursive: true });
const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
process.stderr.write(`python-env: creating ${venv}\n`);
run(python, ['-m', 'venv', '--clear', venv]);
run(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--retries', '0', '--disable-pip-version-check', '-r', requirements]);
writeFileSync(stamp, wanted);
