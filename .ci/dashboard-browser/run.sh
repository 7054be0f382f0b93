#!/usr/bin/env bash
# Load the dashboard in headless Chromium from a release logstore-server with data in it, check
# what rendered and what its script did, and save a screenshot. Installs Chromium (Debian's
# package) when it is missing and keeps the CDP client in a virtual environment.
# Usage: run.sh [--screenshot PATH]   (default: a temporary file)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${BROWSER_VENV:-$root/.build/browser-venv}"

if ! command -v chromium >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    echo "== installing chromium"
    $sudo apt-get update
    $sudo apt-get install -y --no-install-recommends chromium
fi

bash "$here/../ensure-venv.sh" "$venv" "$here/requirements.txt"

export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" "$here/browser_test.py" --server "$root/.build/release/logstore-server" "$@"
