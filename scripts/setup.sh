#!/usr/bin/env bash
# Set up pystocksharp on a fresh machine: a virtualenv (or the active one), the package
# with its dev extras, and the .NET engine built in Release into pystocksharp/_engine/.
# Honors PIP_NO_INDEX / PIP_FIND_LINKS (an offline wheelhouse) if they are exported.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK ('dotnet') is not on PATH; install it from https://dot.net and re-run." >&2
  exit 1
fi

if [ -n "${VIRTUAL_ENV:-}" ]; then
  PY="$VIRTUAL_ENV/bin/python"
else
  [ -x .venv/bin/python ] || python3 -m venv .venv
  PY=.venv/bin/python
fi

"$PY" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
"$PY" -m pip install --quiet -e ".[dev]"

echo "building the engine and the StockSharp API layer (Release) ..."
dotnet build dotnet/src/StockSharp.Compat/StockSharp.Compat.csproj -c Release -o pystocksharp/_engine \
  --nologo -v quiet -p:TreatWarningsAsErrors=false
echo "ok: engine in pystocksharp/_engine"

# Make the CLI reachable as `pystocksharp` after setup when a venv was created here.
if [ -z "${VIRTUAL_ENV:-}" ]; then
  mkdir -p "${HOME}/.local/bin"
  ln -sf "$(pwd)/.venv/bin/pystocksharp" "${HOME}/.local/bin/pystocksharp"
  case ":$PATH:" in
    *":${HOME}/.local/bin:"*) ;;
    *) echo "note: run .venv/bin/pystocksharp, or add ${HOME}/.local/bin to PATH (or 'source .venv/bin/activate') to run 'pystocksharp'." ;;
  esac
fi
"$PY" -m pystocksharp.cli doctor || true
