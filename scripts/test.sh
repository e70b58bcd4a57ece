#!/usr/bin/env bash
# Run every test: lint, the engine's xunit tests, then pytest on all cores.
# Runs ./scripts/setup.sh first when the environment is not set up yet.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${VIRTUAL_ENV:-}" ]; then PY="$VIRTUAL_ENV/bin/python"; else PY=.venv/bin/python; fi
if [ ! -x "$PY" ] || [ ! -f pystocksharp/_engine/PyStockSharp.Engine.dll ]; then
  ./scripts/setup.sh
fi

# The browser tests of the HTML reports drive headless Chromium (Debian's chromium + chromium-driver).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing chromium and chromium-driver (apt-get) for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "error: the browser tests need chromium and chromedriver on PATH;" >&2
    echo "       install them (Debian: sudo apt-get install chromium chromium-driver) and run again." >&2
    exit 1
  fi
fi

echo "== ruff"
"$PY" -m ruff check pystocksharp tests bench strategies
echo "== dotnet test"
dotnet test dotnet/PyStockSharp.sln -c Release --nologo -v quiet
echo "== pytest"
set +e
"$PY" -m pytest -n "${PYTEST_WORKERS:-auto}" -q "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi
exit "$rc"
