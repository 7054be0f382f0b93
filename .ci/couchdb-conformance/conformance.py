"""Run two CouchDB clients' test suites and our KPI flows against logstore-server's CouchDB API.

Compares every test's outcome with scope.json and exits 1 when an in-scope test did not pass,
when a suite ran a test that scope.json does not list, or when an in-scope test did not run.
run.sh beside this file prepares the virtual environment and calls this script; README.md
explains the two server set-ups.
"""

import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

COUCHDB_PYTHON_MODULES = [
    "couchdb.tests.client",
    "couchdb.tests.couch_tests",
    "couchdb.tests.mapping",
    "couchdb.tests.design",
    "couchdb.tests.couchhttp",
    "couchdb.tests.tools",
]

# pycouchdb's integration suite hard-codes this address and these credentials.
PYCOUCHDB_PORT = 5984
PYCOUCHDB_CREDENTIALS = ("admin", "password")

# Two of pycouchdb's tests wait out CouchDB's default 60 s feed timeout, so a test may take
# a little over a minute against a correct server.
PER_TEST_TIMEOUT_SECONDS = 240
SUITE_TIMEOUT_SECONDS = 1800
KPI_FLOW_TIMEOUT_SECONDS = 180
SERVER_START_TIMEOUT_SECONDS = 60


class ServerProcess:
    """One logstore-server process with its CouchDB listener on a fixed port of 127.0.0.1."""

    def __init__(self, binary, couchdb_port, data_dir, log_path, credentials=None):
        self.binary = binary
        self.couchdb_port = couchdb_port
        self.data_dir = data_dir
        self.log_path = log_path
        self.credentials = credentials
        self.process = None

    @property
    def url(self):
        if self.credentials:
            user, password = self.credentials
            return f"http://{user}:{password}@127.0.0.1:{self.couchdb_port}/"
        return f"http://127.0.0.1:{self.couchdb_port}/"

    def start(self):
        if port_is_open(self.couchdb_port):
            raise SystemExit(
                f"port {self.couchdb_port} on 127.0.0.1 is already in use; stop that server or pass --external"
            )
        env = {key: value for key, value in os.environ.items() if not key.startswith("DB_")}
        env.update(
            DATA_DIR=str(self.data_dir),
            HOST="127.0.0.1",
            PORT="0",
            COUCHDB_PORT=str(self.couchdb_port),
            MODE="prod",
        )
        if self.credentials:
            env["DB_USER"], env["DB_PASS"] = self.credentials
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [str(self.binary)], env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        log.close()
        self.wait_until_ready()

    def wait_until_ready(self):
        deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
        request = urllib.request.Request(f"http://127.0.0.1:{self.couchdb_port}/_up")
        if self.credentials:
            token = base64.b64encode(":".join(self.credentials).encode()).decode()
            request.add_header("Authorization", "Basic " + token)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"logstore-server exited with status {self.process.returncode} before its CouchDB listener "
                    f"responded; its log:\n{tail(self.log_path)}"
                )
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit(
            f"logstore-server did not respond to GET /_up on port {self.couchdb_port} within "
            f"{SERVER_START_TIMEOUT_SECONDS} s; its log:\n{tail(self.log_path)}"
        )

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            print(f"logstore-server (pid {self.process.pid}) ignored SIGTERM for 20 s; killing it", flush=True)
            self.process.kill()
            self.process.wait()


def port_is_open(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tail(path, lines=40):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError as error:
        return f"(no log: {error})"


def run_couchdb_python(url, work_dir):
    """Run couchdb-python's suite with COUCHDB_URL=url and return {test id: outcome record}."""
    output = work_dir / "couchdb-python.json"
    output.unlink(missing_ok=True)
    env = dict(os.environ, COUCHDB_URL=url)
    command = [sys.executable, str(HERE / "run_unittest_suite.py"), str(output), str(PER_TEST_TIMEOUT_SECONDS)]
    print(f"== couchdb-python suite against {redact(url)}", flush=True)
    completed = run_logged(command + COUCHDB_PYTHON_MODULES, env, work_dir / "couchdb-python.log", cwd=work_dir)
    if not output.exists():
        print(f"couchdb-python runner wrote no results (exit {completed}); see {work_dir / 'couchdb-python.log'}")
        return {}
    return json.loads(output.read_text())


def run_pycouchdb(source, never_run, work_dir):
    """Run pycouchdb's integration tests from its unpacked sdist and return {test id: outcome record}."""
    junit = work_dir / "pycouchdb-junit.xml"
    junit.unlink(missing_ok=True)
    command = [
        sys.executable, "-m", "pytest",
        "-c", str(source / "pyproject.toml"), "--rootdir", str(source),
        str(source / "test" / "integration"),
        "-p", "no:cacheprovider", "-o", "addopts=", "-o", "log_cli=false",
        "-rA", "--timeout", str(PER_TEST_TIMEOUT_SECONDS), "--junitxml", str(junit),
    ]
    for test_id in never_run:
        command += ["--deselect", "test/integration/" + test_id]
    print(f"== pycouchdb suite against http://{PYCOUCHDB_CREDENTIALS[0]}:***@localhost:{PYCOUCHDB_PORT}/", flush=True)
    completed = run_logged(command, dict(os.environ), work_dir / "pycouchdb.log", cwd=work_dir)
    if not junit.exists():
        print(f"pytest wrote no JUnit XML (exit {completed}); see {work_dir / 'pycouchdb.log'}")
        return {}
    return parse_junit(junit)


def parse_junit(path):
    """Map pytest's JUnit XML to {"file.py::test": outcome record}, keeping the worst outcome per test."""
    rank = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}
    outcomes = {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        test_id = case.get("classname").rsplit(".", 1)[-1] + ".py::" + case.get("name")
        outcome, detail = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                kind = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
                if rank[kind] > rank[outcome]:
                    message = (child.get("message") or child.text or "").strip()
                    outcome, detail = kind, message.splitlines()[0] if message else ""
        previous = outcomes.get(test_id)
        if previous is None or rank[outcome] > rank[previous["outcome"]]:
            outcomes[test_id] = {"outcome": outcome, "detail": detail}
    return outcomes


def run_kpi_flows(flows, work_dir):
    """Run each KPI flow script with its server URL; exit status 0 counts as passed."""
    outcomes = {}
    for script, url in flows:
        print(f"== KPI flow {script} against {redact(url)}", flush=True)
        log = work_dir / (Path(script).stem + ".log")
        try:
            status = run_logged(
                [sys.executable, str(HERE / script), url], dict(os.environ), log, cwd=work_dir,
                timeout=KPI_FLOW_TIMEOUT_SECONDS,
            )
        except subprocess.TimeoutExpired:
            outcomes[script] = {"outcome": "error", "detail": f"timed out after {KPI_FLOW_TIMEOUT_SECONDS} s"}
            continue
        if status == 0:
            outcomes[script] = {"outcome": "passed", "detail": ""}
        else:
            outcomes[script] = {"outcome": "failed", "detail": f"exit {status}: {tail(log, 1)}"}
    return outcomes


def run_logged(command, env, log_path, cwd, timeout=SUITE_TIMEOUT_SECONDS):
    """Run command with its output in log_path and return its exit status."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise


def redact(url):
    scheme, _, rest = url.partition("://")
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        return f"{scheme}://{credentials.split(':')[0]}:***@{host}"
    return url


def report(suite, scope, outcomes):
    """Print one suite's counts and problems; return (in-scope passed, in-scope not passed, problems)."""
    in_scope = scope["in_scope"]
    out_of_scope = scope["out_of_scope"]
    never_run = scope.get("never_run", {})
    listed = set(in_scope) | set(out_of_scope) | set(never_run)

    passed = [t for t in in_scope if outcomes.get(t, {}).get("outcome") == "passed"]
    not_passed = [t for t in in_scope if t not in passed]
    unlisted = sorted(set(outcomes) - listed)
    ran_anyway = sorted(set(never_run) & set(outcomes))

    print(f"\n== {suite} ({scope.get('package', 'our scripts')})")
    print(f"in scope: {len(in_scope)}, passed {len(passed)}, failed {len(not_passed)}")
    for test_id in not_passed:
        record = outcomes.get(test_id, {"outcome": "missing", "detail": "the suite did not run it"})
        print(f"  FAIL {test_id}: {record['outcome']}: {record['detail']}")
    for test_id in unlisted:
        print(f"  FAIL {test_id}: ran but scope.json does not list it ({outcomes[test_id]['outcome']})")
    for test_id in ran_anyway:
        print(f"  FAIL {test_id}: ran although scope.json says never to run it")

    if out_of_scope:
        out_passed = sum(1 for t in out_of_scope if outcomes.get(t, {}).get("outcome") == "passed")
        print(f"out of scope: {len(out_of_scope)} ({out_passed} passed anyway)")
        for test_id, reason in out_of_scope.items():
            outcome = outcomes.get(test_id, {}).get("outcome", "not run")
            print(f"  {test_id} [{outcome}]: {reason}")
    for test_id, reason in never_run.items():
        print(f"  never run: {test_id}: {reason}")
    return len(passed), len(not_passed), len(unlisted) + len(ran_anyway)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pycouchdb-source", type=Path, required=True,
                        help="unpacked pycouchdb 1.17.1 sdist (run.sh downloads it)")
    parser.add_argument("--server-binary", type=Path, default=ROOT / ".build" / "release" / "logstore-server",
                        help="logstore-server to start (default: the release build)")
    parser.add_argument("--external", action="store_true",
                        help="start no server: use one already listening on localhost:5984 with admin/password, "
                             "and --couchdb-python-url for couchdb-python")
    parser.add_argument("--couchdb-python-url", default=os.environ.get("COUCHDB_URL", "http://127.0.0.1:5984/"),
                        help="with --external: server for couchdb-python, best without authentication "
                             "(default: COUCHDB_URL or http://127.0.0.1:5984/)")
    parser.add_argument("--work-dir", type=Path, default=ROOT / ".build" / "couchdb-conformance",
                        help="where logs, results and server data go (default: .build/couchdb-conformance)")
    parser.add_argument("--suite", action="append", choices=["couchdb-python", "pycouchdb", "kpi-flow"],
                        help="run only this suite (repeatable); the exit status then covers only those")
    return parser.parse_args()


def main():
    arguments = parse_arguments()
    scope = json.loads((HERE / "scope.json").read_text())
    suites = arguments.suite or ["couchdb-python", "pycouchdb", "kpi-flow"]
    work_dir = arguments.work_dir.resolve()
    work_dir.mkdir(parents=True, exist_ok=True)

    servers = []
    data_root = Path(tempfile.mkdtemp(prefix="couchdb-conformance-"))
    try:
        if arguments.external:
            open_url = arguments.couchdb_python_url
        else:
            if not arguments.server_binary.exists():
                raise SystemExit(f"{arguments.server_binary} is missing; run `swift build -c release` first")
            # pycouchdb needs authentication on 5984; couchdb-python builds clients from URLs without
            # credentials, so it gets a second server that has none configured.
            protected = ServerProcess(arguments.server_binary, PYCOUCHDB_PORT, data_root / "protected",
                                      work_dir / "server-protected.log", PYCOUCHDB_CREDENTIALS)
            open_server = ServerProcess(arguments.server_binary, free_port(), data_root / "open",
                                        work_dir / "server-open.log")
            for server in (protected, open_server):
                server.data_dir.mkdir()
                servers.append(server)
                server.start()
            open_url = open_server.url
        protected_url = f"http://{PYCOUCHDB_CREDENTIALS[0]}:{PYCOUCHDB_CREDENTIALS[1]}@localhost:{PYCOUCHDB_PORT}/"

        results = {}
        if "couchdb-python" in suites:
            results["couchdb-python"] = run_couchdb_python(open_url, work_dir)
        if "pycouchdb" in suites:
            never_run = scope["pycouchdb"]["never_run"]
            results["pycouchdb"] = run_pycouchdb(arguments.pycouchdb_source.resolve(), never_run, work_dir)
        if "kpi-flow" in suites:
            flows = [("kpi_flow_couchdb_python.py", open_url), ("kpi_flow_pycouchdb.py", protected_url)]
            results["kpi-flow"] = run_kpi_flows(flows, work_dir)
    finally:
        for server in reversed(servers):
            server.stop()
        shutil.rmtree(data_root, ignore_errors=True)

    total_passed = total_failed = problems = 0
    for suite in suites:
        passed, failed, suite_problems = report(suite, scope[suite], results[suite])
        total_passed += passed
        total_failed += failed
        problems += suite_problems
    print(f"\nLogs and results: {work_dir}")
    print(f"couchdb-conformance: {total_passed} passed, {total_failed} failed")
    return 1 if total_failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
