"""GraphiQL without the internet: the scripts and stylesheets Strawberry's GraphiQL page names on
unpkg.com, served by Tidings itself from `assets/graphiql/` at /graphql/assets/.

`./scripts/build-graphiql` installs them from npm (scripts/graphiql/package-lock.json) and runs
`main([NODE_MODULES])`, which copies exactly the files the page
names, each checked against the version in its URL and the page's own integrity hash (the same
bytes unpkg serves). The page is then rewritten to load them from here (`localize`), so a browser
that opens /graphql asks no other host for anything; its integrity attributes stay and still hold.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from strawberry.http.ides import get_graphql_ide_html

ASSETS = Path(__file__).resolve().parent / "assets" / "graphiql"
PREFIX = "/graphql/assets/"
_CDN = re.compile(
    r'(?:src|href)="(https://unpkg\.com/((?:@[^/"@]+/)?[^/"@]+)@([^/"]+)/([^"]+))"\s+integrity="([^"]+)"'
)
MISSING = """<!doctype html><title>GraphiQL</title>
<h1>GraphiQL is not built</h1><p>Its files come from npm at build time, so that the page needs
no other host: run <code>./scripts/build-graphiql</code> (<code>./scripts/serve</code> does).</p>"""


@dataclass(frozen=True, slots=True)
class CdnFile:
    url: str
    package: str
    version: str
    path: str
    integrity: str  # "sha384-<base64>"

    @property
    def local(self) -> str:
        return f"{self.package}/{self.path}"


def cdn_files(html: str) -> list[CdnFile]:
    """The unpkg files a page loads (with the integrity hashes it expects)."""
    spaced = re.sub(r"\s+", " ", html)
    return [CdnFile(*match.groups()) for match in _CDN.finditer(spaced)]


def built() -> bool:
    """Whether every file Strawberry's page names is here."""
    return all((ASSETS / f.local).is_file() for f in cdn_files(get_graphql_ide_html("graphiql")))


def localize(html: str) -> str:
    """The page, loading each unpkg file from /graphql/assets/ instead."""
    for f in cdn_files(html):
        html = html.replace(f.url, PREFIX + f.local)
    return html


def vendor(html: str, node_modules: Path, target: Path = ASSETS) -> list[Path]:
    """Copy the files the page names from `node_modules` to `target`; SystemExit with the reason
    when a package is not at the page's version or a file is not the bytes the page expects."""
    copied: list[Path] = []
    for f in cdn_files(html):
        manifest = node_modules / f.package / "package.json"
        try:
            version = json.loads(manifest.read_text())["version"]
        except (OSError, ValueError, KeyError):
            raise SystemExit(f"{manifest} is missing: npm ci in scripts/graphiql") from None
        if version != f.version:
            raise SystemExit(
                f"{f.package} is {version} in node_modules; the GraphiQL page loads {f.version}: "
                "set that version in scripts/graphiql/package.json"
            )
        source = node_modules / f.package / f.path
        algorithm, _, expected = f.integrity.partition("-")
        digest = base64.b64encode(hashlib.new(algorithm, source.read_bytes()).digest()).decode()
        if digest != expected:
            raise SystemExit(f"{source} is not the file the page expects ({f.integrity})")
        destination = target / f.local
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        copied.append(destination)
    return copied


def main(argv: list[str]) -> None:
    """`scripts/build-graphiql`: vendor the page's files from the node_modules in argv[0]."""
    for path in vendor(get_graphql_ide_html("graphiql"), Path(argv[0])):
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
