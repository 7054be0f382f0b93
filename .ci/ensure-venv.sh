#!/usr/bin/env bash
# Usage: ensure-venv.sh VENV REQUIREMENTS
# Creates the Python virtual environment VENV when it is missing, and installs REQUIREMENTS into
# it whenever that file changed since the last install there.
set -euo pipefail
venv="$1"
requirements="$2"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "== creating $venv"
    "$python" -m venv "$venv"
fi
wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ "$(cat "$venv/.requirements.sha256" 2>/dev/null || true)" != "$wanted" ]; then
    echo "== installing $requirements"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    echo "$wanted" > "$venv/.requirements.sha256"
fi
