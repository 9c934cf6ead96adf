/**
 * The distributions installed in a Python environment and their `pytest11` entry points, read through
 * `importlib.metadata` in a subprocess: `python -I -S` (isolated, no `site`, so no `.pth` file runs and the
 * current directory is not importable), with the environment's site-packages added by path. No plugin is
 * imported and no user code runs: only the `*.dist-info` / `*.egg-info` metadata files are read.
 */
import { runBounded } from '../../core/child-process.js';
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

const cache = new Map<string, Promise<InstalledEnvironment>>();

/** How long the project's interpreter may take to list its packages (about 0.1–0.7 s when it works). */
const TIMEOUT_MS = 5_000;

/**
 * Read an environment; rejects with a message naming the interpreter and why (never quoting what it printed:
 * a broken interpreter's output is no text for a report) when it cannot be run or does not answer.
 */
export function readInstalled(python: string): Promise<InstalledEnvironment> {
  let hit = cache.get(python);
  if (!hit) {
    hit = readOnce(python);
    cache.set(python, hit);
  }
  return hit;
}

async function readOnce(python: string): Promise<InstalledEnvironment> {
  const fail = (why: string) => new Error(`cannot read the installed packages of ${python}: ${why}`);
  const r = await runBounded(python, ['-I', '-S', '-c', SCRIPT], { timeoutMs: TIMEOUT_MS, maxStdout: 32 * 1024 * 1024 });
  if (r.failure !== null) throw fail(r.failure);
  let list: unknown;
  try {
    list = JSON.parse(r.stdout);
  } catch {
    throw fail('its answer is not the JSON list of distributions asked for');
  }
  if (!Array.isArray(list)) throw fail('its answer is not the JSON list of distributions asked for');
  const distributions = new Map<string, InstalledDistribution>();
  for (const d of list as InstalledDistribution[])
    if (d && typeof d.name === 'string' && d.name && !distributions.has(normalizeName(d.name)))
      distributions.set(normalizeName(d.name), {
        name: d.name,
        version: String(d.version),
        pytest11: Array.isArray(d.pytest11) ? d.pytest11.filter((e) => typeof e?.name === 'string' && typeof e.module === 'string') : [],
      });
  return { python, distributions };
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
