/**
 * A virtual environment per test environment, holding exactly the distributions named (and what they
 * require): made with `python -m venv --without-pip`, then each distribution's installed files (its RECORD)
 * copied from the test venv (.cache/venv, installed from the machine's local index by
 * scripts/python-env.mjs). Real pytest, real plugins, real entry points: an environment without
 * pytest-asyncio does not load it, exactly as a tox env that does not install it.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON } from './env.js';

const COPY = String.raw`
import importlib.metadata as md, os, re, shutil, sys, sysconfig
target = sys.argv[1]
dest = sysconfig.get_paths(vars={"base": target, "platbase": target})["purelib"]
os.makedirs(dest, exist_ok=True)
want = list(sys.argv[2:])
seen = set()
while want:
    name = re.split(r"[^A-Za-z0-9._-]", want.pop())[0].lower().replace("_", "-")
    if name in seen:
        continue
    seen.add(name)
    dist = md.distribution(name)
    for req in dist.requires or []:
        if "extra ==" in req:
            continue
        if ";" in req:
            from packaging.markers import Marker
            if not Marker(req.split(";", 1)[1]).evaluate():
                continue
        want.append(req)
    for f in dist.files or []:
        src = f.locate()
        if not os.path.isfile(src) or str(f).startswith(".."):
            continue
        out = os.path.join(dest, str(f))
        os.makedirs(os.path.dirname(out), exist_ok=True)
        shutil.copy2(src, out)
print(dest)
`;

/** Make a venv at `dir` holding `distributions` (normalized names) and their requirements; returns its python. */
export function venvWith(dir: string, distributions: string[]): string {
  const made = spawnSync('python3', ['-m', 'venv', '--without-pip', dir], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`venv ${dir}: ${made.stderr}`);
  const copied = spawnSync(PYTHON, ['-c', COPY, dir, ...distributions], { encoding: 'utf8' });
  if (copied.status !== 0) throw new Error(`copying ${distributions.join(', ')} into ${dir}: ${copied.stderr}`);
  // The console script, as pip writes it: the bare `pytest` (its sys.path holds the script's directory, not the cwd).
  const python = join(dir, 'bin', 'python');
  writeFileSync(join(dir, 'bin', 'pytest'), `#!${python}\nimport sys\nfrom pytest import console_main\nsys.exit(console_main())\n`, {
    mode: 0o755,
  });
  return python;
}

export interface PytestResult {
  code: number;
  out: string;
}

/** Run pytest in an environment's interpreter, from `cwd`, with a clean PYTEST_ADDOPTS. */
export function pytestIn(python: string, cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): PytestResult {
  const r = spawnSync(python, ['-m', 'pytest', '-p', 'no:cacheprovider', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PYTEST_ADDOPTS: '', PYTHONDONTWRITEBYTECODE: '1', COLUMNS: '200', ...env },
  });
  return { code: r.status ?? -1, out: (r.stdout ?? '') + (r.stderr ?? '') };
}
