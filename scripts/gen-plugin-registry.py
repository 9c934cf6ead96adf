"""Generate schemas/pytest-plugins.json: what each pytest plugin registers, read from its own source.

Facts only (names, arity, types) for the open-world decisions of known-options and registered-markers:
the `pytest11` entry points (what `-p NAME` / `-p no:NAME` name), the command-line options
(`parser.addoption`, `group.addoption`, `parser.getgroup(...).addoption`, `_addoption`), the ini keys
(`parser.addini` with pytest's type) and the markers (`config.addinivalue_line("markers", "name: ...")`).

The plugin's code is never imported or run: every source file is read with CPython's `ast`. Sources:
- `index`: a wheel from the machine's local Python index (`pip download --no-deps`), read as a zip;
- `github:owner/name`: the plugin's public repository at a pinned commit, read from a bare git directory
  (`--mirror DIR`, default /work/.mirror, laid out as `owner+name/repo`).

schemas/pytest-plugins.sources.json (the manifest) maps each distribution to its source, commit and, for
monorepos, the folder its packaging lives in; entries without a usable source say why (`missing`). When a
source is absent on this machine the committed record is kept as it is (and counted as kept), so
`npm run schemas` regenerates what it can and leaves the rest alone.

    python scripts/gen-plugin-registry.py                 # regenerate, print coverage
    python scripts/gen-plugin-registry.py --check         # exit 1 if the committed data would change
    python scripts/gen-plugin-registry.py --tree DIR --distribution NAME   # one source tree -> one record
"""
from __future__ import annotations

import argparse
import ast
import configparser
import io
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import zipfile

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    tomllib = None

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "schemas" / "pytest-plugins.json"
MANIFEST = ROOT / "schemas" / "pytest-plugins.sources.json"
WHEELS = ROOT / ".cache" / "plugin-wheels"
RANKED = pathlib.Path("/work/.library/env/packages/pypi.tsv")

INI_TYPES = {"string", "bool", "int", "float", "args", "linelist", "paths", "pathlist"}
VALUELESS_ACTIONS = {"store_true", "store_false", "store_const", "append_const", "count", "help", "version"}
# Folders whose modules are never part of what an installed plugin registers.
SKIP_PARTS = {"tests", "test", "testing_utils", "docs", "doc", "examples", "example", "benchmarks", ".github"}


def normalize(name: str) -> str:
    """PEP 503: lower case, runs of `-`, `_`, `.` become one `-`."""
    return re.sub(r"[-_.]+", "-", name).lower()


# ---------------------------------------------------------------------------------------------- trees


class Tree:
    """A read-only set of files: `files` are '/'-separated paths relative to the tree's root."""

    files: list[str]

    def read(self, path: str) -> str | None:
        raise NotImplementedError


class DirTree(Tree):
    def __init__(self, root: pathlib.Path):
        self.root = root
        self.files = sorted(
            p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts
        )

    def read(self, path):
        try:
            return (self.root / path).read_text("utf-8", errors="replace")
        except OSError:
            return None


class ZipTree(Tree):
    def __init__(self, path: pathlib.Path):
        self.zip = zipfile.ZipFile(path)
        self.files = sorted(n for n in self.zip.namelist() if not n.endswith("/"))

    def read(self, path):
        try:
            return self.zip.read(path).decode("utf-8", errors="replace")
        except KeyError:
            return None


class GitTree(Tree):
    """Files of one commit of a bare git directory, below `subdir` (a monorepo's package folder)."""

    def __init__(self, gitdir: pathlib.Path, commit: str, subdir: str = ""):
        self.gitdir, self.commit = gitdir, commit
        self.prefix = subdir.strip("/") + "/" if subdir.strip("/") else ""
        out = self._git("ls-tree", "-r", "--name-only", commit)
        self.files = [f[len(self.prefix):] for f in out.splitlines() if f.startswith(self.prefix)]
        self._cache: dict[str, str | None] = {}
        self._batch: subprocess.Popen | None = None

    def _git(self, *args) -> str:
        return subprocess.run(
            ["git", f"--git-dir={self.gitdir}", *args], check=True, capture_output=True, text=True,
            encoding="utf-8", errors="replace",
        ).stdout

    def read(self, path):
        if path not in self._cache:
            if self._batch is None:
                self._batch = subprocess.Popen(
                    ["git", f"--git-dir={self.gitdir}", "cat-file", "--batch"],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                )
            self._batch.stdin.write(f"{self.commit}:{self.prefix}{path}\n".encode())
            self._batch.stdin.flush()
            header = self._batch.stdout.readline().decode().split()
            if len(header) == 3:
                data = self._batch.stdout.read(int(header[2]))
                self._batch.stdout.read(1)
                self._cache[path] = data.decode("utf-8", errors="replace")
            else:
                self._cache[path] = None
        return self._cache[path]

    def close(self):
        if self._batch is not None:
            self._batch.stdin.close()
            self._batch.wait()
            self._batch = None

    def tag_version(self) -> str | None:
        try:
            tag = self._git("describe", "--tags", "--abbrev=0", self.commit).strip()
        except subprocess.CalledProcessError:
            return None
        m = re.search(r"(\d+(?:\.\d+)+(?:[-.]?(?:a|b|rc|post|dev)\d*)?)$", tag)
        return m.group(1) if m else None


class SubTree(Tree):
    """The files below one folder of another tree: a monorepo's package whose packaging lives there."""

    def __init__(self, tree: Tree, folder: str):
        self.tree, self.prefix = tree, folder.strip("/") + "/" if folder.strip("/") else ""
        self.files = [f[len(self.prefix):] for f in tree.files if f.startswith(self.prefix)]

    def read(self, path):
        return self.tree.read(self.prefix + path)


# --------------------------------------------------------------------------------------- packaging


def parse_entry_point_lines(text: str) -> list[dict]:
    """`name = module[:attr] [extras]` lines (entry_points.txt, setup.cfg, setup.py string form)."""
    points = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")) or "=" not in line:
            continue
        name, _, target = line.partition("=")
        module = target.strip().split(":")[0].split("[")[0].strip()
        if name.strip() and module:
            points.append({"name": name.strip(), "module": module})
    return points


def ini_sections(text: str) -> dict[str, dict[str, str]]:
    """Sections of an INI text for the entry-point sections only (configparser without interpolation)."""
    parser = configparser.ConfigParser(interpolation=None, strict=False, delimiters=("=",))
    parser.optionxform = str
    try:
        parser.read_string(text)
    except configparser.Error:
        return {}
    return {s: dict(parser[s]) for s in parser.sections()}


STR_METHODS = {"format", "replace", "lower", "upper", "strip", "lstrip", "rstrip", "removeprefix", "removesuffix"}


def literal(node: ast.AST | None, env: "Env | None" = None, depth: int = 0):
    """The Python value of a literal node (str, list/tuple of them, dict), resolving names through env."""
    if node is None or depth > 12:  # a name bound to an expression that uses it again
        return None
    if env is not None:
        node = env.resolve(node)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        values = [literal(e, env, depth + 1) for e in node.elts]
        return None if any(v is None for v in values) else values
    if isinstance(node, ast.Dict):
        out = {}
        for k, v in zip(node.keys, node.values):
            key = literal(k, env, depth + 1)
            if key is None:
                return None
            out[key] = literal(v, env, depth + 1)
        return out
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal(node.left, env, depth + 1), literal(node.right, env, depth + 1)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        if isinstance(left, list) and isinstance(right, list):
            return left + right
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in STR_METHODS:
        # "--{0}".format(name.replace("_", "-")): string methods over literals.
        base = literal(node.func.value, env, depth + 1)
        args = [literal(a, env, depth + 1) for a in node.args]
        kwargs = {k.arg: literal(k.value, env, depth + 1) for k in node.keywords if k.arg}
        if isinstance(base, str) and all(a is not None for a in args) and all(v is not None for v in kwargs.values()):
            try:
                return getattr(base, node.func.attr)(*args, **kwargs)
            except (IndexError, KeyError, TypeError, ValueError):
                return None
    if isinstance(node, ast.IfExp):
        test = truth(node.test, env, depth + 1)
        return None if test is None else literal(node.body if test else node.orelse, env, depth + 1)
    if isinstance(node, ast.JoinedStr):
        parts = [literal(v.value if isinstance(v, ast.FormattedValue) else v, env, depth + 1) for v in node.values]
        return "".join(parts) if all(isinstance(p, str) for p in parts) else None
    return None


def truth(node: ast.AST, env: "Env | None", depth: int = 0) -> bool | None:
    """Whether a condition built from literals (`not prefix`) holds; None when it depends on run time."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = truth(node.operand, env, depth + 1)
        return None if inner is None else not inner
    value = literal(node, env, depth + 1)
    if isinstance(value, (str, int, float, list, dict, bool)) or (isinstance(node, ast.Constant) and value is None):
        return bool(value)
    return None


def entry_points_of(tree: Tree) -> tuple[list[dict], str]:
    """`pytest11` entry points from the packaging files at the tree's root, and where they were found."""
    if (ep_file := next((f for f in tree.files if f.endswith(".dist-info/entry_points.txt")), None)):
        section = ini_sections(tree.read(ep_file) or "").get("pytest11", {})
        return [{"name": k, "module": v.split(":")[0].strip()} for k, v in section.items()], ep_file
    text = tree.read("pyproject.toml") if "pyproject.toml" in tree.files else None
    if text and tomllib:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            data = {}
        candidates = [
            data.get("project", {}).get("entry-points", {}).get("pytest11"),
            data.get("tool", {}).get("poetry", {}).get("plugins", {}).get("pytest11"),
            data.get("tool", {}).get("flit", {}).get("entrypoints", {}).get("pytest11"),
        ]
        for table in candidates:
            if isinstance(table, dict) and table:
                return [{"name": k, "module": str(v).split(":")[0].strip()} for k, v in table.items()], "pyproject.toml"
    if "setup.cfg" in tree.files:
        sections = ini_sections(tree.read("setup.cfg") or "")
        # setuptools' [options.entry_points], or pbr's [entry_points]
        value = sections.get("options.entry_points", {}).get("pytest11") or sections.get("entry_points", {}).get("pytest11")
        if value:
            return parse_entry_point_lines(value), "setup.cfg"
    if "setup.py" in tree.files:
        points = setup_py_entry_points(tree.read("setup.py") or "")
        if points:
            return points, "setup.py"
    return [], ""


def setup_py_entry_points(text: str) -> list[dict]:
    """A `"pytest11": [...]` (or INI string) anywhere in setup.py, through module-level names."""
    try:
        module = ast.parse(text)
    except SyntaxError:
        return []
    env = Env(module)
    for node in ast.walk(module):
        value = None
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if literal(k) == "pytest11":
                    value = literal(v, env)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            for kw in node.keywords:
                if kw.arg == "pytest11":
                    value = literal(kw.value, env)
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return parse_entry_point_lines("\n".join(v for v in value if isinstance(v, str)))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "[pytest11]" in node.value:
            return parse_entry_point_lines(node.value.split("[pytest11]", 1)[1].split("\n[", 1)[0])
    return []


def packaging_name(tree: Tree) -> str | None:
    """The distribution name the packaging files state, to catch a manifest pointing at the wrong repository."""
    if (meta := next((f for f in tree.files if f.endswith(".dist-info/METADATA")), None)):
        m = re.search(r"^Name: (\S+)", tree.read(meta) or "", re.M)
        return m.group(1) if m else None
    if "pyproject.toml" in tree.files and tomllib:
        try:
            data = tomllib.loads(tree.read("pyproject.toml") or "")
        except tomllib.TOMLDecodeError:
            data = {}
        for name in (data.get("project", {}).get("name"), data.get("tool", {}).get("poetry", {}).get("name"),
                     data.get("tool", {}).get("flit", {}).get("metadata", {}).get("dist-name")):
            if isinstance(name, str):
                return name
    if "setup.cfg" in tree.files:
        name = ini_sections(tree.read("setup.cfg") or "").get("metadata", {}).get("name")
        if name:
            return name.strip()
    if "setup.py" in tree.files:
        try:
            mod = ast.parse(tree.read("setup.py") or "")
        except SyntaxError:
            return None
        env = Env(mod)
        for node in ast.walk(mod):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == "name" and isinstance(literal(kw.value, env), str):
                        return literal(kw.value, env)
    return None


VERSION_RE = re.compile(r"""^(?:__version__|version|VERSION)\s*(?::\s*str\s*)?=\s*['"]([^'"]+)['"]""", re.M)


def version_of(tree: Tree, modules: list[str], sources: Tree | None = None) -> str | None:
    """The version the packaging states literally, else `__version__` of the plugin's package."""
    if (meta := next((f for f in tree.files if f.endswith(".dist-info/METADATA")), None)):
        m = re.search(r"^Version: (\S+)", tree.read(meta) or "", re.M)
        if m:
            return m.group(1)
    text = tree.read("pyproject.toml") if "pyproject.toml" in tree.files else None
    if text and tomllib:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            data = {}
        for v in (data.get("project", {}).get("version"), data.get("tool", {}).get("poetry", {}).get("version")):
            if isinstance(v, str) and v and not v.startswith("0.0.0"):
                return v
    if "setup.cfg" in tree.files:
        v = ini_sections(tree.read("setup.cfg") or "").get("metadata", {}).get("version", "")
        if v and not v.startswith("attr:") and not v.startswith("file:"):
            return v.strip()
    if "setup.py" in tree.files:
        try:
            mod = ast.parse(tree.read("setup.py") or "")
            env = Env(mod)
            for node in ast.walk(mod):
                if isinstance(node, ast.Call):
                    for kw in node.keywords:
                        if kw.arg == "version" and isinstance(literal(kw.value, env), str):
                            return literal(kw.value, env)
        except SyntaxError:
            pass
    tree = sources or tree
    for module in modules:
        top = module.split(".")[0]
        for f in tree.files:
            parts = f.split("/")
            if top in parts[:-1] and parts[-1] in ("__init__.py", "_version.py", "version.py", "__about__.py", "__version__.py"):
                m = VERSION_RE.search(tree.read(f) or "")
                if m and re.match(r"\d", m.group(1)):
                    return m.group(1)
            if parts[-1] == f"{top}.py":
                m = VERSION_RE.search(tree.read(f) or "")
                if m and re.match(r"\d", m.group(1)):
                    return m.group(1)
    return None


# ------------------------------------------------------------------------------------------ modules


def module_files(tree: Tree, package_dirs: dict[str, str] | None = None) -> dict[str, str]:
    """Dotted module name -> file, for every .py file.

    A repository keeps its packages at the root, under src/, or one folder down (a monorepo's
    `hypothesis-python/src`): outside test/doc folders first, then the shortest path wins when two
    folders hold the same module name. `package_dirs` is setuptools' `package_dir` ({package: folder}).
    """
    found: dict[str, str] = {}
    for package, folder in (package_dirs or {}).items():
        prefix = folder.strip("/") + "/"
        for f in tree.files:
            if f.startswith(prefix) and f.endswith(".py"):
                rest = f[len(prefix):-3].split("/")
                if rest[-1] == "__init__":
                    rest = rest[:-1]
                found.setdefault(".".join([package, *rest]), f)
    for f in sorted(tree.files, key=lambda p: (any(x in SKIP_PARTS for x in p.split("/")[:-1]), p.count("/"), p)):
        if not f.endswith(".py"):
            continue
        parts = f[:-3].split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        for start in range(len(parts)):
            name = ".".join(parts[start:])
            if name and name not in found and all(p.isidentifier() for p in parts[start:]):
                found[name] = f
    return found


class Env:
    """Module-level names bound to literal expressions (`OPTION = "--foo"`), plus imported ones."""

    def __init__(self, module: ast.Module, imported: dict[str, ast.AST] | None = None):
        self.names: dict[str, ast.AST] = dict(imported or {})
        for node in module.body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.names[target.id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                self.names[node.target.id] = node.value
            elif isinstance(node, ast.ClassDef):
                # Enum-like classes of option names: `Options.FOO` resolved as `Options.FOO`.
                for item in node.body:
                    if isinstance(item, ast.Assign) and len(item.targets) == 1 and isinstance(item.targets[0], ast.Name):
                        self.names[f"{node.name}.{item.targets[0].id}"] = item.value
        self.local: list[dict[str, ast.AST]] = []

    def resolve(self, node: ast.AST, depth: int = 0) -> ast.AST:
        if depth > 8:
            return node
        key = None
        if isinstance(node, ast.Name):
            key = node.id
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            key = f"{node.value.id}.{node.attr}"
        if key is None:
            return node
        for scope in reversed(self.local):
            if key in scope:
                return self.resolve(scope[key], depth + 1) if scope[key] is not node else node
        if key in self.names and self.names[key] is not node:
            return self.resolve(self.names[key], depth + 1)
        return node


# Python 3.12 generics (`def f[**P, R](...)`, `class C[T: (A | B)]:`, `type X = ...`) that an older
# interpreter's `ast` rejects: the type parameters say nothing about what a plugin registers, so they go.
PEP695_HEAD = re.compile(r"^\s*(?:async\s+)?(?:def|class)\s+\w+\[", re.M)
PEP695_TYPE = re.compile(r"^(\s*)type\s+\w+(?:\[[^=\n]*\])?\s*=", re.M)


def strip_type_params(text: str) -> str:
    out, pos = [], 0
    for m in PEP695_HEAD.finditer(text):
        if m.start() < pos:
            continue
        out.append(text[pos:m.end() - 1])
        depth, i = 0, m.end() - 1
        while i < len(text):
            depth += {"[": 1, "]": -1}.get(text[i], 0)
            i += 1
            if depth == 0:
                break
        pos = i
    out.append(text[pos:])
    return PEP695_TYPE.sub(r"\1_ =", "".join(out))


def parse_module(tree: Tree, path: str) -> ast.Module | None:
    text = tree.read(path)
    if text is None:
        return None
    try:
        return ast.parse(text, filename=path)
    except SyntaxError:
        pass
    try:
        return ast.parse(strip_type_params(text), filename=path)
    except SyntaxError:
        return None


def imports_of(module: ast.Module, name: str, is_package: bool, known: dict[str, str]) -> list[str]:
    """Modules of the same tree that this one imports (absolute, relative, `pytest_plugins` strings)."""
    package = name if is_package else name.rpartition(".")[0]
    out = []
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.append(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".") if package else []
                base_parts = base_parts[: len(base_parts) - (node.level - 1)] if node.level > 1 else base_parts
                base = ".".join(base_parts)
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            out.append(target)
            for alias in node.names:
                out.append(f"{target}.{alias.name}")
        elif isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in node.targets):
                value = literal(node.value)
                if isinstance(value, str):
                    value = [value]
                if isinstance(value, list):
                    out.extend(v for v in value if isinstance(v, str))
    result = []
    for target in out:
        while target:
            if target in known:
                result.append(target)
                break
            target = target.rpartition(".")[0]
    return result


# ---------------------------------------------------------------------------------------- extraction


class Extractor:
    """Walks the plugin's modules and collects what they register with pytest."""

    def __init__(self, tree: Tree):
        self.tree = tree
        self.flags: dict[tuple, dict] = {}
        self.keys: dict[str, str] = {}
        self.markers: set[str] = set()
        self.unresolved: list[str] = []
        self.modules: dict[str, ast.Module] = {}
        self.envs: dict[str, Env] = {}
        self.functions: dict[str, list[tuple[str, ast.FunctionDef]]] = {}
        self.resolved_lines: set[str] = set()
        # `from other_package.module import *` in a module of the plugin: the names it re-exports include
        # that module's hooks, so pytest runs them as this plugin's (pytest-celery's plugin re-exports
        # celery.contrib.pytest, which registers the `celery` mark). Merged from that module's record.
        self.reexports: set[str] = set()

    def load(self, entry_modules: list[str], package_dirs: dict[str, str] | None = None) -> list[str]:
        known = module_files(self.tree, package_dirs)
        missing = []
        queue = []
        for module in entry_modules:
            if module in known:
                queue.append(module)
            else:
                missing.append(module)
        seen = set()
        while queue and len(seen) < 400:
            name = queue.pop()
            if name in seen:
                continue
            seen.add(name)
            path = known[name]
            parsed = parse_module(self.tree, path)
            if parsed is None:
                self.unresolved.append(f"{path}: not valid Python")
                continue
            self.modules[path] = parsed
            top = name.split(".")[0]
            for node in parsed.body:
                if (isinstance(node, ast.ImportFrom) and not node.level and node.module
                        and any(a.name == "*" for a in node.names)
                        and node.module.split(".")[0] != top and node.module not in known):
                    self.reexports.add(node.module)
            for dep in imports_of(parsed, name, path.endswith("__init__.py"), known):
                # Only the plugin's own package: a monorepo's other packages are not what it registers.
                if dep.split(".")[0] == top or dep in entry_modules:
                    queue.append(dep)
        for path, parsed in self.modules.items():
            self.envs[path] = Env(parsed)
        # Names imported from another loaded module resolve to that module's constants.
        by_module = {n: p for n, p in known.items() if p in self.modules}
        for path, parsed in self.modules.items():
            for node in ast.walk(parsed):
                if isinstance(node, ast.ImportFrom) and node.module:
                    source = next((p for n, p in by_module.items() if n.endswith(node.module)), None)
                    if source:
                        for alias in node.names:
                            value = self.envs[source].names.get(alias.name)
                            if value is not None:
                                self.envs[path].names.setdefault(alias.asname or alias.name, value)
            for node in ast.walk(parsed):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self.functions.setdefault(node.name, []).append((path, node))
        return missing

    def run(self):
        for path, parsed in self.modules.items():
            self.walk(path, parsed.body, self.envs[path], set())

    def walk(self, path, body, env: Env, stack: set, depth: int = 0):
        """Statements in order: local assignments bind names, literal loops unroll, definitions at
        module or class level are walked with their parameters' defaults bound."""
        for stmt in body:
            if isinstance(stmt, ast.For) and isinstance(stmt.target, (ast.Name, ast.Tuple)):
                items = literal(stmt.iter, env)
                if isinstance(items, dict):
                    items = list(items.keys()) if isinstance(stmt.target, ast.Name) else list(items.items())
                if isinstance(items, list) and items:
                    for item in items:
                        env.local.append(bind_target(stmt.target, item))
                        self.walk(path, stmt.body, env, stack, depth)
                        env.local.pop()
                    continue
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if stack or depth > 1:
                    continue  # a nested definition runs only when called
                if self.wraps_registration(stmt.name):
                    # A helper registers what its call sites pass it: read there, not here (pytest-benchmark's
                    # add_csv_options is only called by its own CLI, so `--benchmark-csv` is no pytest flag).
                    continue
                env.local.append(defaults_of(stmt))
                self.walk(path, stmt.body, env, stack, depth + 1)
                env.local.pop()
                continue
            if isinstance(stmt, ast.ClassDef):
                if not stack and depth == 0:
                    self.walk(path, stmt.body, env, stack, depth + 1)
                continue
            if isinstance(stmt, ast.Assign) and env.local:
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        env.local[-1][target.id] = env.resolve(stmt.value)
            if isinstance(stmt, (ast.If, ast.With, ast.AsyncWith, ast.Try)):
                for node in iter_calls(stmt.test if isinstance(stmt, ast.If) else ast.Pass()):
                    self.call(path, node, env, stack)
                taken = truth(stmt.test, env) if isinstance(stmt, ast.If) and env.local else None
                if taken is not None:  # a branch decided by a bound parameter (`if not prefix:`)
                    self.walk(path, stmt.body if taken else stmt.orelse, env, stack, depth)
                    continue
                blocks = [stmt.body, getattr(stmt, "orelse", []), getattr(stmt, "finalbody", [])]
                blocks += [h.body for h in getattr(stmt, "handlers", [])]
                for block in blocks:
                    self.walk(path, block, env, stack, depth)
                continue
            for node in iter_calls(stmt):
                self.call(path, node, env, stack)

    def call(self, path, node: ast.Call, env: Env, stack: set):
        func = node.func
        attr = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if attr in ("addoption", "_addoption"):
            self.option(path, node, env)
        elif attr == "addini":
            self.ini(path, node, env)
        elif attr == "addinivalue_line":
            self.marker(path, node, env)
        elif attr in self.functions and attr not in stack and self.wraps_registration(attr):
            # A helper that wraps addoption/addini/addinivalue_line: walk its body with this call's
            # arguments bound to its parameters.
            for fpath, fn in self.functions[attr]:
                scope = bind_call(fn, node, env)
                if scope is None or not self.callables_fit(fn, scope):
                    continue
                fenv = self.envs[fpath]
                fenv.local.append(scope)
                self.walk(fpath, fn.body, fenv, stack | {attr})
                fenv.local.pop()

    def callables_fit(self, fn, scope) -> bool:
        """A helper called as `addoption(...)` through a parameter registers with pytest only when the
        call site passes pytest's `addoption` (benchmark's display options are also given argparse's
        `add_argument` by its own command line)."""
        params = {a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs}
        for node in ast.walk(fn):
            if isinstance(node, ast.Call) and registers_through_param(node, params):
                bound = scope[node.func.id]
                if not (isinstance(bound, ast.Attribute) and bound.attr in REGISTRATIONS):
                    return False
        return True

    def wraps_registration(self, name: str) -> bool:
        for _, fn in self.functions[name]:
            params = {a.arg for a in fn.args.args + fn.args.kwonlyargs}
            if fn.args.vararg:
                params.add(fn.args.vararg.arg)
            if fn.args.kwarg:
                params.add(fn.args.kwarg.arg)
            for node in ast.walk(fn):
                if not isinstance(node, ast.Call):
                    continue
                callee = node.func.attr if isinstance(node.func, ast.Attribute) else None
                if callee in REGISTRATIONS or registers_through_param(node, params):
                    used = {n.id for a in node.args + [k.value for k in node.keywords] for n in ast.walk(a) if isinstance(n, ast.Name)}
                    if used & params:
                        return True
        return False

    def option(self, path, node: ast.Call, env: Env):
        names = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                value = literal(arg.value, env)
                if isinstance(value, list):
                    names.extend(value)
                else:
                    names.append(None)
                continue
            names.append(literal(arg, env))
        kwargs = keywords(node, env)
        if "**" in kwargs:
            self.unresolved.append(f"{path}:{node.lineno}: addoption(**...) keywords unresolved")
        if not names or any(not isinstance(n, str) for n in names):
            self.unresolved.append(f"{path}:{node.lineno}: addoption name not a literal")
            return
        names = [n for n in names if n.startswith("-")]
        if not names:
            return
        action = kwargs.get("action")
        nargs = kwargs.get("nargs")
        if isinstance(action, str) and action in VALUELESS_ACTIONS or nargs == 0:
            value = "none"
        elif nargs in ("?", "*"):
            value = "optional"
        elif action is not None and not isinstance(action, str) and nargs is None:
            # A custom argparse.Action class: arity is its nargs, which it sets in code; argparse's default
            # is one value.
            value = "required"
            self.unresolved.append(f"{path}:{node.lineno}: {names[0]} custom action, one value assumed")
        else:
            value = "required"
        spec = {"names": sorted(names, key=lambda n: (not n.startswith("--"), n)), "value": value}
        # Several values (`--flag a b`): argparse takes every following word that is not an option ("+", "*"),
        # or exactly N; recorded so a command line's words are split as pytest splits them.
        if value != "none" and (nargs in ("+", "*") or (isinstance(nargs, int) and nargs > 1)):
            spec["nargs"] = nargs
        choices = kwargs.get("choices")
        if isinstance(choices, (list, dict)) and choices and all(isinstance(c, (str, int, float)) for c in choices):
            spec["choices"] = [str(c) for c in choices]
        self.flags[tuple(spec["names"])] = spec
        self.resolved_lines.add(f"{path}:{node.lineno}:")

    def ini(self, path, node: ast.Call, env: Env):
        kwargs = keywords(node, env)
        name = literal(node.args[0], env) if node.args else kwargs.get("name")
        if not isinstance(name, str):
            self.unresolved.append(f"{path}:{node.lineno}: addini name not a literal")
            return
        kind = literal(node.args[2], env) if len(node.args) > 2 else kwargs.get("type", "string")
        if kind is None:
            kind = "string"  # type=None is pytest's default: a string
        if kind not in INI_TYPES:
            self.unresolved.append(f"{path}:{node.lineno}: addini {name} type {kind!r} read as string")
            kind = "string"
        self.keys[name] = kind
        self.resolved_lines.add(f"{path}:{node.lineno}:")

    def marker(self, path, node: ast.Call, env: Env):
        if len(node.args) < 2 or literal(node.args[0], env) != "markers":
            return
        line = literal(node.args[1], env)
        if not isinstance(line, str):
            prefix = fstring_prefix(env.resolve(node.args[1]), env)
            if prefix is None:
                self.unresolved.append(f"{path}:{node.lineno}: marker line not a literal")
                return
            line = prefix
        name = re.split(r"[(:\s]", line.strip(), maxsplit=1)[0]
        if name.isidentifier():
            self.markers.add(name)
            self.resolved_lines.add(f"{path}:{node.lineno}:")
        else:
            self.unresolved.append(f"{path}:{node.lineno}: marker name {name!r} unreadable")


REGISTRATIONS = ("addoption", "_addoption", "addini", "addinivalue_line")


def registers_through_param(call: ast.Call, params: set) -> bool:
    """`addoption(f"--{prefix}sort", ...)` where `addoption` is a parameter: a registration function handed
    in by the caller (named so, or called with an option string). pytest-logger's `parser(...)`, a value
    parser that shadows its parameter, is not one."""
    if not (isinstance(call.func, ast.Name) and call.func.id in params):
        return False
    if call.func.id in REGISTRATIONS:
        return True
    first = call.args[0] if call.args else None
    if isinstance(first, ast.JoinedStr) and first.values:
        first = first.values[0]
    return isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.startswith("-")


def defaults_of(fn) -> dict:
    """A function's parameters that have defaults, bound to them (`prefix='benchmark-'`)."""
    scope = {}
    positional = fn.args.posonlyargs + fn.args.args
    for arg, default in zip(positional[len(positional) - len(fn.args.defaults):], fn.args.defaults):
        scope[arg.arg] = default
    for arg, default in zip(fn.args.kwonlyargs, fn.args.kw_defaults):
        if default is not None:
            scope[arg.arg] = default
    return scope


def fstring_prefix(node, env):
    """The constant head of an f-string or `"...".format()` up to the marker's `(` or `:`."""
    if isinstance(node, ast.JoinedStr):
        head = ""
        for v in node.values:
            if isinstance(v, ast.Constant):
                head += v.value
            else:
                value = literal(v.value, env)
                if isinstance(value, str):
                    head += value
                    continue
                break
        return head if re.match(r"\s*[A-Za-z_]\w*\s*[(:]", head) else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        base = literal(node.func.value, env)
        if isinstance(base, str) and re.match(r"\s*[A-Za-z_]\w*\s*[(:]", base):
            return base
    return None


def iter_calls(stmt):
    """Calls in a statement, outermost first, not descending into nested function or class bodies."""
    stack = [stmt]
    while stack:
        node = stack.pop(0)
        if isinstance(node, ast.Call):
            yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue
            stack.append(child)


def keywords(node: ast.Call, env: Env) -> dict:
    out = {}
    for kw in node.keywords:
        if kw.arg is None:
            value = literal(kw.value, env)
            if isinstance(value, dict):
                out.update(value)
            else:
                out["**"] = True
        else:
            value = env.resolve(kw.value)
            out[kw.arg] = literal(value, env) if isinstance(value, (ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.JoinedStr, ast.BinOp)) else value
    return out


def bind_target(target, item) -> dict:
    if isinstance(target, ast.Name):
        return {target.id: ast.Constant(item) if not isinstance(item, ast.AST) else item}
    scope = {}
    if isinstance(target, ast.Tuple) and isinstance(item, (list, tuple)) and len(item) == len(target.elts):
        for t, v in zip(target.elts, item):
            scope.update(bind_target(t, v))
    return scope


def to_node(value):
    return value if isinstance(value, ast.AST) else ast.Constant(value)


def bind_call(fn: ast.FunctionDef, call: ast.Call, env: Env) -> dict | None:
    """Parameters of fn bound to the (resolved) argument nodes of call; None when they do not fit."""
    params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    if params and params[0] in ("self", "cls") and isinstance(call.func, ast.Attribute):
        params = params[1:]
    scope: dict[str, ast.AST] = {}
    defaults = fn.args.defaults
    for name, default in zip(params[len(params) - len(defaults):], defaults):
        scope[name] = default
    for kwarg, default in zip(fn.args.kwonlyargs, fn.args.kw_defaults):
        if default is not None:
            scope[kwarg.arg] = default
    positional = [a for a in call.args if not isinstance(a, ast.Starred)]
    if len(positional) > len(params) and not fn.args.vararg:
        return None
    for name, arg in zip(params, positional):
        scope[name] = env.resolve(arg)
    if fn.args.vararg:
        scope[fn.args.vararg.arg] = ast.Tuple(elts=[env.resolve(a) for a in positional[len(params):]], ctx=ast.Load())
    extra = {}
    for kw in call.keywords:
        if kw.arg is None:
            continue
        if kw.arg in params or kw.arg in {a.arg for a in fn.args.kwonlyargs}:
            scope[kw.arg] = env.resolve(kw.value)
        else:
            extra[kw.arg] = env.resolve(kw.value)
    if fn.args.kwarg:
        scope[fn.args.kwarg.arg] = ast.Dict(keys=[ast.Constant(k) for k in extra], values=list(extra.values()))
    return scope


# ------------------------------------------------------------------------------------------ records


def extract(tree: Tree, distribution: str, modules: list[str] | None = None, packaging: str = "",
            package_dirs: dict[str, str] | None = None) -> tuple[dict, list[str]]:
    """One PluginRecord (without `source`) and the notes on what could not be resolved.

    `packaging` is the folder holding the distribution's pyproject/setup files in a monorepo; its modules
    are looked up in the whole tree (a package may live outside that folder, as solara's test plugin does).
    """
    notes = []
    package_tree = SubTree(tree, packaging) if packaging else tree
    entry_points, _ = entry_points_of(package_tree)
    entry_modules = sorted({p["module"] for p in entry_points} | set(modules or []))
    extractor = Extractor(tree)
    missing = extractor.load(entry_modules, package_dirs)
    notes.extend(f"entry-point module {m} not found in the source" for m in missing)
    extractor.run()
    # A helper's body read on its own leaves its parameters unresolved; its call sites resolved them.
    notes.extend(dict.fromkeys(n for n in extractor.unresolved
                               if not any(n.startswith(line) for line in extractor.resolved_lines)))
    stated = packaging_name(package_tree)
    if stated is not None and normalize(stated) != normalize(distribution):
        notes.append(f"packaging names the distribution {stated!r}")
    if not entry_points and not modules:
        notes.append("no pytest11 entry point")
    # What the record may lack: an open-world check must not call a name of that kind unknown for a
    # project that declares this plugin ("cannot be verified" instead).
    incomplete = set()
    for note in notes:
        if "addoption" in note:
            incomplete.add("flags")
        elif "addini" in note:
            incomplete.add("keys")
        elif "marker" in note:
            incomplete.add("markers")
        elif "not valid Python" in note or "not found in the source" in note:
            incomplete.update(("flags", "keys", "markers"))
    record = {
        "distribution": normalize(distribution),
        "version": version_of(package_tree, entry_modules, tree) or (tree.tag_version() if isinstance(tree, GitTree) else None) or "unknown",
        "entryPoints": sorted(entry_points, key=lambda p: (p["name"], p["module"])),
        "flags": sorted(extractor.flags.values(), key=lambda f: f["names"]),
        "keys": dict(sorted(extractor.keys.items())),
        "markers": sorted(extractor.markers),
    }
    if incomplete:
        record["incomplete"] = sorted(incomplete)
    if extractor.reexports:
        record["_reexports"] = sorted(extractor.reexports)
    return record, notes


def merge_reexports(records: dict, manifest: dict, committed: dict) -> None:
    """Give each record what the other plugins' modules it star-imports register (then drop the note)."""
    providers = {}
    for dist, entry in manifest["plugins"].items():
        record = records.get(dist) or committed.get(dist)
        if record is None:
            continue
        for module in [*entry.get("modules", []), *(p["module"] for p in record.get("entryPoints", []))]:
            providers.setdefault(module, record)
    for dist, record in records.items():
        for module in record.pop("_reexports", []):
            source = providers.get(module)
            if source is None or source is record:
                continue
            record["markers"] = sorted(set(record["markers"]) | set(source.get("markers", [])))
            record["keys"] = dict(sorted({**source.get("keys", {}), **record["keys"]}.items()))
            flags = {tuple(f["names"]): f for f in source.get("flags", [])}
            flags.update({tuple(f["names"]): f for f in record["flags"]})
            record["flags"] = sorted(flags.values(), key=lambda f: f["names"])


def mirror_gitdir(mirror: pathlib.Path, repo: str) -> pathlib.Path | None:
    base = mirror / repo.replace("/", "+") / "repo"
    for candidate in (base / ".git", base):
        if (candidate / "HEAD").exists() or (candidate / "objects").exists():
            return candidate
    return None


def index_wheel(spec: str) -> pathlib.Path | None:
    """A wheel of `name==version` from the local Python index, downloaded once into .cache/plugin-wheels."""
    name, _, version = spec.partition("==")
    stem = normalize(name).replace("-", "_")
    WHEELS.mkdir(parents=True, exist_ok=True)

    def find():
        for wheel in WHEELS.glob("*.whl"):
            parts = wheel.name.split("-")
            if normalize(parts[0]) == normalize(stem) and (not version or parts[1] == version):
                return wheel
        return None

    if find() is None:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
             "--retries", "0", "--disable-pip-version-check", "-d", str(WHEELS), spec],
            check=False, capture_output=True,
        )
    return find()


def one_line(record: dict) -> str:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def dump(records: list[dict]) -> str:
    """One record a line, sorted by distribution: compact, and a diff shows which plugin changed."""
    lines = [one_line(r) for r in sorted(records, key=lambda r: r["distribution"])]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def ranked_targets() -> dict[str, int]:
    """The `pytest-*` distributions ranked among the 15,000 most-downloaded PyPI packages."""
    out = {}
    if not RANKED.exists():
        return out
    for line in RANKED.read_text().splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) >= 4 and re.match(r"pytest[-_]", cols[0]) and cols[3]:
            out[normalize(cols[0])] = int(cols[3])
    return out


def generate(args) -> int:
    manifest = json.loads(MANIFEST.read_text())
    committed = {r["distribution"]: r for r in json.loads(OUT.read_text())} if OUT.exists() else {}
    mirror = pathlib.Path(args.mirror)
    records, kept, notes_by = {}, [], {}
    only = set(args.only.split(",")) if args.only else None
    for dist, entry in sorted(manifest["plugins"].items()):
        if "missing" in entry or (only is not None and dist not in only):
            continue
        tree, source = None, None
        if "index" in entry:
            wheel = index_wheel(entry["index"])
            if wheel:
                tree, source = ZipTree(wheel), "installed"
        else:
            gitdir = mirror_gitdir(mirror, entry["repo"])
            if gitdir:
                try:
                    tree = GitTree(gitdir, entry["commit"])
                    source = f"github:{entry['repo']}@{entry['commit']}"
                except subprocess.CalledProcessError:
                    tree = None
        if tree is None:
            if dist in committed:
                records[dist] = committed[dist]
                kept.append(dist)
            else:
                notes_by[dist] = ["source absent on this machine and no committed record"]
            continue
        record, notes = extract(tree, dist, modules=entry.get("modules"), packaging=entry.get("subdir", ""),
                                package_dirs=entry.get("packageDirs"))
        if isinstance(tree, GitTree):
            tree.close()
        record["source"] = source
        records[dist] = record
        if notes:
            notes_by[dist] = notes
    merge_reexports(records, manifest, committed)
    if only is not None:
        # A drift check of a few plugins: each regenerated record against its committed line.
        changed = [d for d in sorted(records) if d not in kept and one_line(records[d]) != one_line(committed.get(d, {}))]
        absent = sorted(only - set(records) - set(kept))
        for d in changed:
            print(f"{d}: committed record differs from its source: run `npm run schemas`", file=sys.stderr)
        print(json.dumps({"checked": sorted(set(records) - set(kept)), "kept": sorted(kept), "absent": absent, "changed": changed}))
        return 1 if changed and args.check else 0
    text = dump(list(records.values()))
    report = coverage(manifest, records, kept, notes_by)
    if args.check:
        old = OUT.read_text() if OUT.exists() else ""
        if old != text:
            print("pytest-plugins.json would change: run `npm run schemas`", file=sys.stderr)
            return 1
        print(report)
        return 0
    OUT.write_text(text)
    print(report)
    docs = ROOT / "docs" / "plugin-registry.md"
    if docs.exists():
        # The coverage section of the docs is this report, so the two never disagree.
        page = docs.read_text()
        start, end = "<!-- coverage:start -->\n", "<!-- coverage:end -->"
        if start in page and end in page:
            head, rest = page.split(start, 1)
            docs.write_text(head + start + "```text\n" + report + "\n```\n" + end + rest.split(end, 1)[1])
    if args.report:
        pathlib.Path(args.report).write_text(report + "\n")
    return 0


def coverage(manifest: dict, records: dict, kept: list[str], notes_by: dict) -> str:
    targets = ranked_targets() or {d: e["rank"] for d, e in manifest["plugins"].items() if e.get("rank")}
    ranked = sorted(targets, key=lambda d: targets[d])
    covered = [d for d in ranked if d in records]
    lacking = [d for d in ranked if d not in records]
    extra = sorted(d for d in records if d not in targets)
    lines = [
        f"pytest plugin registry: {len(records)} distributions",
        f"  ranked pytest-* distributions covered: {len(covered)} of {len(ranked)}",
        f"  packages with a pytest11 entry point beyond those: {len(extra)} ({', '.join(extra)})",
    ]
    if kept:
        lines.append(f"  kept from committed data (source absent here): {len(kept)}")
    lines.append(f"  lacking ({len(lacking)}):")
    for d in lacking:
        why = manifest["plugins"].get(d, {}).get("missing") or "; ".join(notes_by.get(d, [])) or "not in the manifest"
        lines.append(f"    {d} (rank {targets[d]}): {why}")
    unresolved = {d: n for d, n in notes_by.items() if d in records}
    if unresolved:
        lines.append(f"  partly unresolved ({len(unresolved)}):")
        for d, notes in sorted(unresolved.items()):
            for note in notes:
                lines.append(f"    {d}: {note}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirror", default=os.environ.get("NETRA_PLUGIN_MIRROR", "/work/.mirror"))
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--report", help="also write the coverage report to this file")
    parser.add_argument("--tree", help="read one source tree (a folder or a wheel) and print its record")
    parser.add_argument("--distribution")
    parser.add_argument("--module", action="append", default=[], help="with --tree: a module loaded by -p or pytest_plugins")
    parser.add_argument("--only", help="comma-separated distributions: with --check, compare just these")
    args = parser.parse_args(argv)
    if args.tree:
        path = pathlib.Path(args.tree)
        tree = ZipTree(path) if path.suffix == ".whl" else DirTree(path)
        record, notes = extract(tree, args.distribution or path.name, modules=args.module)
        print(json.dumps({"record": record, "notes": notes}, indent=1))
        return 0
    return generate(args)


if __name__ == "__main__":
    sys.exit(main())
