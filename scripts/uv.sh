# Sourced by scripts/install and scripts/lock: a Python venv in .venv with uv in it (from PyPI,
# through pip), so that nothing outside the repository is needed. Sets $UV.
UV_VERSION=0.13.8
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
if [ "$(.venv/bin/uv --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  echo "==> uv $UV_VERSION into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
UV=.venv/bin/uv
export UV_PYTHON=.venv/bin/python
