"""Every public function of the package says what it does and documents its parameters.

A docstring with an `Args:` section naming every parameter (units go with the description);
a constructor's parameters are documented on its class or on __init__ (Google style).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "wlpmask"


def _public_functions():
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            yield from _functions(path, node, owner=None)


def _functions(path, node, owner):
    if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
        for item in node.body:
            yield from _functions(path, item, owner=node)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if node.name.startswith("_") and node.name != "__init__":
            return
        yield path, owner, node


def _params(node) -> list[str]:
    a = node.args
    names = [x.arg for x in [*a.posonlyargs, *a.args, *a.kwonlyargs]]
    if a.vararg:
        names.append(a.vararg.arg)
    if a.kwarg:
        names.append(a.kwarg.arg)
    return [n for n in names if n not in ("self", "cls") and not n.startswith("_")]


def _args_section(doc: str) -> str | None:
    m = re.search(r"^\s*Args:\s*$(.*?)(?=^\s*(Returns|Raises|Yields|Example|Examples|Note):|\Z)",
                  doc, flags=re.M | re.S)
    return m.group(1) if m else None


def test_every_public_function_documents_its_parameters():
    missing = []
    for path, owner, node in _public_functions():
        where = f"{path.relative_to(SRC.parent)}:{node.lineno} " \
                f"{owner.name + '.' if owner else ''}{node.name}"
        doc = ast.get_docstring(node)
        params = _params(node)
        if node.name == "__init__":
            # documented on the class (Google style) or on __init__
            if doc is None or _args_section(doc) is None:
                doc = ast.get_docstring(owner)
        if doc is None:
            missing.append(f"{where}: no docstring")
            continue
        if not params:
            continue
        section = _args_section(doc)
        if section is None:
            missing.append(f"{where}: no Args section for {', '.join(params)}")
            continue
        undocumented = [p for p in params
                        if not re.search(rf"(^|[\s,*]){re.escape(p)}\b", section)]
        if undocumented:
            missing.append(f"{where}: Args misses {', '.join(undocumented)}")
    assert not missing, f"{len(missing)} functions:\n" + "\n".join(missing)
