/**
 * The distributions installed in a Python environment and their `pytest11` entry points, read through
 * `importlib.metadata` in a subprocess: `python -I -S` (isolated, no `site`, so no `.pth` file runs and the
 * current directory is not importable), with the environment's site-packages added by path. No plugin is
 * imported and no user code runs: only the `*.dist-info` / `*.egg-info` metadata files are read.
 */
import { childProcess } from '../../core/child-process.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeName } from '../../formats/requirements.js';

export interface InstalledDistribution {
  name: string;
  version: string;
  pytest11: { name: string; module: string }[];
}

export interface InstalledEnvironment {
  python: string;
  distributions: Map<string, InstalledDistribution>;
}

// Without `site`, Python does not apply a venv's pyvenv.cfg: find the venv as site.venv() does and add its
// site-packages by path (and the base ones when the venv includes system site-packages).
const SCRIPT = String.raw`
import json, os, sys, sysconfig
exe_dir = os.path.dirname(os.path.abspath(sys.executable))
prefixes = [sys.prefix]
for d in (exe_dir, os.path.dirname(exe_dir)):
    cfg = os.path.join(d, "pyvenv.cfg")
    if os.path.isfile(cfg):
        with open(cfg, encoding="utf-8") as f:
            system = any(l.split("=", 1)[0].strip().lower() == "include-system-site-packages" and l.split("=", 1)[1].strip().lower() == "true" for l in f if "=" in l)
        prefixes = [d] + ([sys.prefix] if system else [])
        break
for prefix in prefixes:
    paths = sysconfig.get_paths(vars={"base": prefix, "platbase": prefix})
    for key in ("purelib", "platlib"):
        p = paths.get(key)
        if p and p not in sys.path:
            sys.path.append(p)
import importlib.metadata as md
out = []
for d in md.distributions():
    try:
        name = d.metadata["Name"]
        eps = [{"name": e.name, "module": e.value.split(":")[0].strip()} for e in d.entry_points if e.group == "pytest11"]
        out.append({"name": name, "version": d.version, "pytest11": eps})
    except Exception:
        pass
json.dump(out, sys.stdout)
`;

const cache = new Map<string, InstalledEnvironment | Error>();

/** Read an environment; throws with a clear message when the interpreter cannot be run. */
export function readInstalled(python: string): InstalledEnvironment {
  const hit = cache.get(python);
  if (hit instanceof Error) throw hit;
  if (hit) return hit;
  try {
    const stdout = childProcess().execFileSync(python, ['-I', '-S', '-c', SCRIPT], {
      encoding: 'utf8',
      timeout: 20_000,
      maxBuffer: 32 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const list = JSON.parse(stdout) as InstalledDistribution[];
    const distributions = new Map<string, InstalledDistribution>();
    for (const d of list) if (d.name && !distributions.has(normalizeName(d.name))) distributions.set(normalizeName(d.name), d);
    const env = { python, distributions };
    cache.set(python, env);
    return env;
  } catch (e) {
    const err = new Error(`cannot read the installed packages of ${python}: ${(e as Error).message.split('\n')[0]}`);
    cache.set(python, err);
    throw err;
  }
}

/** A virtual environment kept in the project (`.venv/` or `venv/`), as uv, Poetry and `python -m venv` make it. */
export function projectVenvPython(root: string): string | null {
  for (const dir of ['.venv', 'venv']) {
    for (const rel of ['bin/python', 'Scripts/python.exe']) {
      const p = join(root, dir, rel);
      if (existsSync(p) && existsSync(join(root, dir, 'pyvenv.cfg'))) return p;
    }
  }
  return null;
}
