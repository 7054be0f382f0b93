#!/usr/bin/env bash
# Prove logstore-server's CouchDB API with two real clients' test suites and our KPI flows.
# Creates (or reuses) a virtual environment with the pinned clients, unpacks pycouchdb's
# integration tests, then runs conformance.py, which starts the release logstore-server
# unless --external is given. README.md beside this file explains the options.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${COUCHDB_VENV:-$root/.build/couchdb-venv}"
pycouchdb_version="1.17.1"

bash "$here/../ensure-venv.sh" "$venv" "$here/requirements.txt"

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
