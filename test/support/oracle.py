"""What Python's own readers make of documents: the oracle for the differential tests.

stdin: JSON list of {"kind": "ini"|"toml"|"shlex", "text": str}. INI documents are written to a file and
read with iniconfig.IniConfig(path), exactly as pytest reads them (universal newlines, UTF-8).
stdout: JSON list of results, one per document.
"""
import json
import os
import shlex
import sys
import tempfile
import tomllib

import iniconfig


def ini(text, path):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    try:
        cfg = iniconfig.IniConfig(path)
    except iniconfig.ParseError as e:
        return {"error": {"line": e.lineno + 1, "message": e.msg}}
    return {"sections": [[name, [[k, v] for k, v in items.items()]] for name, items in cfg.sections.items()]}


def toml(text):
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        return {"error": str(e)}

    def plain(v):
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        if isinstance(v, bool):
            return {"bool": v}
        if isinstance(v, int):
            return {"int": str(v)}
        if isinstance(v, float):
            return {"float": repr(v)}
        if isinstance(v, str):
            return v
        return {"other": str(v)}

    return {"data": plain(data)}


def split(text):
    try:
        return {"tokens": shlex.split(text)}
    except ValueError as e:
        return {"error": str(e)}


def main():
    docs = json.load(sys.stdin)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "pytest.ini")
        for doc in docs:
            kind = doc["kind"]
            out.append(ini(doc["text"], path) if kind == "ini" else toml(doc["text"]) if kind == "toml" else split(doc["text"]))
    json.dump(out, sys.stdout)


main()
