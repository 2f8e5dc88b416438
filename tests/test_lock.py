"""requirements/*.txt (what scripts/install installs) against pyproject.toml (what we ask for):
every dependency of each install is locked, at a version its range admits. A dependency added
or a range moved without `scripts/lock` fails here, offline, before an install goes wrong."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXTRAS = {"serve": [], "test": ["test", "dev"], "bench": ["bench"]}


def pins(lock: str) -> dict[str, Version]:
    found: dict[str, Version] = {}
    for line in (ROOT / "requirements" / f"{lock}.txt").read_text().splitlines():
        requirement = line.split("#", 1)[0].split(";", 1)[0].strip()
        if requirement:
            name, _, version = requirement.partition("==")
            assert version, f"requirements/{lock}.txt: {line!r} is not pinned with =="
            found[canonicalize_name(name)] = Version(version)
    return found


@pytest.mark.parametrize("lock", sorted(EXTRAS))
def test_the_lock_holds_every_dependency_in_its_range(lock: str) -> None:
    locked = pins(lock)
    wanted = [
        *PROJECT["dependencies"],
        *(r for extra in EXTRAS[lock] for r in PROJECT["optional-dependencies"][extra]),
    ]
    for raw in wanted:
        requirement = Requirement(raw)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is not in requirements/{lock}.txt: run scripts/lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"requirements/{lock}.txt has {name}=={locked[name]}, outside {raw!r}: run scripts/lock"
        )


def test_every_extra_has_its_lock() -> None:
    assert set(PROJECT["optional-dependencies"]) == {extra for extras in EXTRAS.values() for extra in extras}
