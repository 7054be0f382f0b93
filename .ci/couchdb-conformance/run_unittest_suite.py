"""Run couchdb-python's bundled unittest modules and write one outcome per test as JSON.

The suite reads the server address from COUCHDB_URL. Usage:
    python run_unittest_suite.py OUTPUT.json TIMEOUT_SECONDS MODULE...
"""

import json
import signal
import sys
import traceback
import unittest


class TestTimedOut(Exception):
    """Raised in the main thread when one test runs longer than its time limit."""


class RecordingResult(unittest.TextTestResult):
    """A text result that also keeps each test's outcome and a one-line detail."""

    def __init__(self, stream, descriptions, verbosity, timeout_seconds):
        super().__init__(stream, descriptions, verbosity)
        self.timeout_seconds = timeout_seconds
        self.outcomes = {}

    def startTest(self, test):
        # SIGALRM interrupts a blocking socket read too, so a feed that never ends fails only its own test.
        signal.alarm(self.timeout_seconds)
        super().startTest(test)

    def stopTest(self, test):
        signal.alarm(0)
        super().stopTest(test)

    def _record(self, test, outcome, detail=""):
        # A test that fails in tearDown after passing keeps the worse outcome.
        if self.outcomes.get(test.id(), {}).get("outcome") in ("failed", "error"):
            return
        self.outcomes[test.id()] = {"outcome": outcome, "detail": detail}

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, "passed")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "failed", last_line(err))

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "error", last_line(err))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "skipped", reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._record(test, "failed", "expected failure: " + last_line(err))

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._record(test, "passed")


def last_line(err):
    """Return the exception line of a traceback, which names the error and its message."""
    lines = "".join(traceback.format_exception(*err)).strip().splitlines()
    return lines[-1] if lines else ""


def raise_timeout(signum, frame):
    raise TestTimedOut("test exceeded its time limit")


def main():
    output_path, timeout_seconds, modules = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    signal.signal(signal.SIGALRM, raise_timeout)
    suite = unittest.TestLoader().loadTestsFromNames(modules)

    runner = unittest.TextTestRunner(
        verbosity=2,
        resultclass=lambda stream, descriptions, verbosity: RecordingResult(
            stream, descriptions, verbosity, timeout_seconds
        ),
    )
    result = runner.run(suite)

    with open(output_path, "w", encoding="utf-8") as output:
        json.dump(result.outcomes, output, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
