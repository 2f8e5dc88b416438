"""Every module of the package imports on its own, in a fresh interpreter.

An import cycle hides as long as something else imports the modules in a lucky order first
(conftest.py does, for the whole suite), so each module is imported in a process that has
imported nothing of tidings yet: one interpreter loads the third-party libraries once, then
forks a child per module (the children share no tidings module, so a cycle shows). The
layering itself is checked by import-linter (`lint-imports`, pyproject.toml)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import tidings

# Alembic runs these as scripts inside its own context; they are not importable modules.
NOT_MODULES = ("tidings.store.migrations",)

CHILDREN = r"""
import json, os, sys, traceback
for library in ("strawberry", "graphql", "fastapi", "starlette", "uvicorn", "sqlalchemy", "pydantic",
                "pydantic_settings", "broadcaster", "orjson", "jwt", "httpx", "prometheus_client", "alembic"):
    __import__(library)
assert not [m for m in sys.modules if m == "tidings" or m.startswith("tidings.")]
failures = {}
for module in json.loads(sys.argv[1]):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            __import__(module)
        except BaseException:
            os.write(write, traceback.format_exc().encode())
            os._exit(1)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        error = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        failures[module] = error or f"exit status {status}"
print(json.dumps(failures))
"""


def modules() -> list[str]:
    root = Path(tidings.__file__).parent
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if not name.startswith(NOT_MODULES):
            names.append(name)
    return names


def test_the_module_list_is_the_whole_package() -> None:
    names = modules()
    assert {"tidings", "tidings.publish", "tidings.resolvers.engagement", "tidings.cli"} <= set(names)
    assert len(names) > 60
    assert not [n for n in names if n.startswith("tidings.store.migrations")]


def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COVERAGE_", "TIDINGS_"))}
    done = subprocess.run(
        [sys.executable, "-c", CHILDREN, json.dumps(modules())],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    failures: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    assert failures == {}, "\n".join(f"{name}:\n{error}" for name, error in failures.items())


def test_every_top_level_module_has_its_layer_in_the_import_contracts() -> None:
    pyproject = tomllib.loads((Path(tidings.__file__).parents[2] / "pyproject.toml").read_text())
    [layers] = [c for c in pyproject["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    placed = {name.strip() for layer in layers["layers"] for name in layer.split("|")}
    top = {name.split(".")[1] for name in modules() if name.count(".") >= 1}
    assert top - placed == set(), "add these to [tool.importlinter]'s layers in pyproject.toml"
