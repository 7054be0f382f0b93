#!/usr/bin/env bash
# Prove logstore-server's CouchDB API with two real clients' test suites and our KPI flows.
# Creates (or reuses) a virtual environment with the pinned clients, unpacks pycouchdb's
# integration tests, then runs conformance.py, which starts the release logstore-server
# unless --external is given. README.md beside this file explains the options.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${COUCHDB_VENV:-$root/.build/couchdb-venv}"
python="${PYTHON:-python3}"
pycouchdb_version="1.17.1"

if [ ! -x "$venv/bin/python" ]; then
    echo "== creating $venv"
    "$python" -m venv "$venv"
fi

# Reinstall only when requirements.txt changed since the last install into this environment.
wanted="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$venv/.requirements.sha256" 2>/dev/null || true)" != "$wanted" ]; then
    echo "== installing $here/requirements.txt"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    echo "$wanted" > "$venv/.requirements.sha256"
fi

# pycouchdb ships its integration tests only in the sdist.
source_dir="$venv/src/pycouchdb-$pycouchdb_version"
if [ ! -d "$source_dir/test/integration" ]; then
    echo "== fetching the pycouchdb $pycouchdb_version sdist"
    download="$(mktemp -d)"
    "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
        --no-binary :all: "pycouchdb==$pycouchdb_version" -d "$download"
    mkdir -p "$venv/src"
    tar -xzf "$download/pycouchdb-$pycouchdb_version.tar.gz" -C "$venv/src"
    rm -rf "$download"
fi

# Keep the checked-in folder free of __pycache__ directories.
export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" "$here/conformance.py" --pycouchdb-source "$source_dir" "$@"
