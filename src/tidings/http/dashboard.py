"""The built dashboard (frontend/dist) at `/`: compressed, cached as long as its names allow, and
answering its own page paths (/u/alice, /t/42, /tag/graphql) with index.html."""

from __future__ import annotations

import gzip
import os
import stat
from pathlib import Path

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

# Vite names everything under assets/ after a hash of its content: a new build is a new name.
IMMUTABLE = "public, max-age=31536000, immutable"
# index.html (and anything else without a hash in its name) is checked again on every load.
REVALIDATE = "no-cache"
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MIN_COMPRESS_BYTES = 1024


def _accepts_gzip(headers: Headers) -> bool:
    for coding in headers.get("accept-encoding", "").split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


class DashboardFiles(StaticFiles):
    """StaticFiles for a single-page app built by Vite.

    - `assets/*` get `Cache-Control: public, max-age=31536000, immutable`; every other file
      `no-cache` (so a new build is seen at once).
    - Text files of 1 kB or more go out gzipped to clients that accept it, compressed once per
      file version (path, size, mtime) and kept in memory: dist/ is a handful of files.
    - A path with no file whose last segment has no dot is one of the app's pages: index.html.
    """

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory, html=True)
        self.assets = os.path.realpath(directory / "assets")
        self._gzipped: dict[str, tuple[int, int, bytes]] = {}

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            last = path.replace("\\", "/").rsplit("/", 1)[-1]
            if exc.status_code != 404 or "." in last:
                raise
            full_path, stat_result = await anyio.to_thread.run_sync(self.lookup_path, "index.html")
            if stat_result is None or not stat.S_ISREG(stat_result.st_mode):
                raise
            response = self.file_response(full_path, stat_result, scope)
        if isinstance(response, FileResponse) and response.status_code == 200:
            return await self._compressed(response, scope)
        return response

    def file_response(
        self,
        full_path: os.PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = FileResponse(full_path, status_code=status_code, stat_result=stat_result)
        hashed = os.path.commonpath([os.path.realpath(full_path), self.assets]) == self.assets
        response.headers["cache-control"] = IMMUTABLE if hashed else REVALIDATE
        response.headers["vary"] = "Accept-Encoding"
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            return _not_modified(response)
        return response

    async def _compressed(self, response: FileResponse, scope: Scope) -> Response:
        media_type = response.media_type or ""
        stat_result = response.stat_result
        if (
            stat_result is None
            or stat_result.st_size < MIN_COMPRESS_BYTES
            or not media_type.startswith(COMPRESSIBLE)
            or not _accepts_gzip(Headers(scope=scope))
        ):
            return response
        body = await self._gzip(str(response.path), stat_result)
        headers = {k: v for k, v in response.headers.items() if k != "content-length"}
        headers["content-encoding"] = "gzip"
        # One ETag names both encodings, so it is weak here, as nginx makes it (RFC 9110 8.8.1).
        headers["etag"] = "W/" + headers["etag"].removeprefix("W/")
        if scope["method"] == "HEAD":
            headers["content-length"] = str(len(body))
            return Response(b"", status_code=200, headers=headers)
        return Response(body, status_code=200, headers=headers)

    async def _gzip(self, path: str, stat_result: os.stat_result) -> bytes:
        version = (stat_result.st_size, stat_result.st_mtime_ns)
        cached = self._gzipped.get(path)
        if cached is not None and cached[:2] == version:
            return cached[2]
        body = await anyio.to_thread.run_sync(lambda: gzip.compress(Path(path).read_bytes(), 9, mtime=0))
        self._gzipped[path] = (*version, body)
        return body


def _not_modified(response: Response) -> Response:
    headers = {
        k: v for k, v in response.headers.items() if k in ("cache-control", "etag", "vary", "last-modified")
    }
    return Response(status_code=304, headers=headers)
