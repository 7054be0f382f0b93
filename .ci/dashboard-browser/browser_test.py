"""Drives headless Chromium over the DevTools protocol against a real logstore-server.

Checks that the dashboard renders its figures, chart and feed, that its script connects to the
change stream and shows a blob posted while the page is open, and that the page logs no console
message, exception or Content-Security-Policy violation. Saves a screenshot of the page. Then
restarts the server and checks that a blob stored while the script reconnects reaches the feed.

The server requires READ_USER and READ_PASS, and the page is opened as
http://user:password@host/, so the check also covers a browser that sends the credentials again
with the page's own requests: the stylesheet, the script and the script's fetch() calls.
"""

import argparse
import base64
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(description, condition, timeout=15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise SystemExit(f"FAIL: timed out after {timeout} s waiting for {description}")


def post(base, blobs):
    body = json.dumps({"data": blobs}).encode()
    request = urllib.request.Request(
        base + "/wsapi/interaction_data", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request) as response:
        if response.status != 201:
            raise SystemExit(f"FAIL: storing blobs returned {response.status}")


def persona_blob(generator, timestamp, os_name=None):
    """A sign-in blob shaped like Persona's: a user agent and a 7-event stream of offsets."""
    offsets = sorted(generator.randint(0, 30_000) for _ in range(6))
    names = ["picker", "window.opened", "email.entered", "password.entered", "authenticate", "sign_in", "closed"]
    return {
        "timestamp": timestamp,
        "lang": generator.choice(["en-US", "de", "fr", "es", "ja"]),
        "user_agent": {
            "os": os_name or generator.choice(["Windows NT 10.0", "Mac OS X 14.2", "Linux x86_64", "Android 14"]),
            "browser": generator.choice(["Firefox", "Chrome", "Safari"]),
            "version": generator.choice([121, 122, 17]),
        },
        "event_stream": [[name, offset] for name, offset in zip(names, [0] + offsets)],
    }


class DevTools:
    """A minimal client of one page target: commands with ids, and events kept for later."""

    def __init__(self, url):
        self.socket = websocket.create_connection(url, timeout=15)
        self.next_id = 0
        self.events = []

    def send(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise SystemExit(f"FAIL: {method} failed: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise SystemExit(f"FAIL: evaluating {expression!r} threw {result['exceptionDetails']}")
        return result["result"].get("value")

    def drain(self):
        """Collects the events that arrived since the last command."""
        self.socket.settimeout(0.2)
        try:
            while True:
                message = json.loads(self.socket.recv())
                if "method" in message:
                    self.events.append(message)
        except websocket.WebSocketTimeoutException:
            pass
        finally:
            self.socket.settimeout(15)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server", required=True, help="path of the logstore-server executable")
    parser.add_argument("--screenshot", help="where to save the PNG screenshot (default: a temporary file)")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    arguments = parser.parse_args()

    work = tempfile.mkdtemp(prefix="logstore-browser-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    password = "%032x" % random.getrandbits(128)
    environment = dict(
        os.environ,
        DATA_DIR=work + "/data",
        PORT=str(port),
        COUCHDB_PORT="0",
        MODE="prod",
        READ_USER="reader",
        READ_PASS=password,
    )
    server = subprocess.Popen([arguments.server], env=environment, stderr=subprocess.DEVNULL)
    browser = None
    failures = []
    try:
        wait_for("the server", lambda: _up(base))

        # A day of sign-ins, busier in the last hours, in batches of 20 as Persona posted them.
        generator = random.Random(20121204)
        now = int(time.time() * 1000)
        blobs = [persona_blob(generator, now - int(generator.triangular(0, 86_000_000, 10_000_000))) for _ in range(3000)]
        for start in range(0, len(blobs), 20):
            post(base, blobs[start : start + 20])

        debug_port = free_port()
        browser = subprocess.Popen(
            [
                arguments.chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--hide-scrollbars", f"--remote-debugging-port={debug_port}", f"--user-data-dir={work}/profile",
                "--window-size=1280,1500", "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        targets = wait_for("Chromium's DevTools endpoint", lambda: _targets(debug_port))
        page_target = next(target for target in targets if target["type"] == "page")
        tools = DevTools(page_target["webSocketDebuggerUrl"])
        for domain in ["Page", "Runtime", "Log"]:
            tools.send(domain + ".enable")
        # Writes stay open, so post() needs no credentials, but every read of the page needs them.
        tools.send("Page.navigate", url=f"http://reader:{password}@127.0.0.1:{port}/")

        status = wait_for(
            "the page's script to connect to the change stream",
            lambda: (text := tools.evaluate("document.getElementById('status')?.textContent || ''")).startswith("Live") and text,
        )
        print(f"status line: {status}")

        bars = tools.evaluate("document.querySelectorAll('#chart rect.bar').length")
        bar_total = tools.evaluate("[...document.querySelectorAll('#chart rect.bar')].reduce((s, b) => s + Number(b.dataset.count), 0)")
        shown_range_total = tools.evaluate("document.getElementById('range-total').dataset.value")
        feed_items = tools.evaluate("document.querySelectorAll('#feed li').length")
        total_text = tools.evaluate("document.getElementById('total').textContent")
        print(f"chart: {bars} bars holding {bar_total} blobs; feed: {feed_items} items; total: {total_text}")
        if bars < 24:
            failures.append(f"the chart has {bars} bars, expected at least 24")
        if bar_total != 3000 or int(shown_range_total) != 3000:
            failures.append(f"the chart counts {bar_total} blobs and shows {shown_range_total}, expected 3000")
        if feed_items != 10:
            failures.append(f"the feed has {feed_items} items, expected 10")
        if total_text != "3,000":
            failures.append(f"the total reads {total_text!r}, expected '3,000'")

        # A blob stored while the page is open must reach the feed, the total and the chart.
        post(base, [persona_blob(generator, int(time.time() * 1000), os_name="BrowserProbe OS")])
        wait_for(
            "the posted blob in the feed",
            lambda: "BrowserProbe OS" in tools.evaluate("document.querySelector('#feed li')?.textContent || ''"),
        )
        total_after = tools.evaluate("document.getElementById('total').textContent")
        live_bars = tools.evaluate("document.querySelectorAll('#chart rect.bar.live').length")
        print(f"after a live post: total {total_after}, {live_bars} bar(s) marked live")
        if total_after != "3,001":
            failures.append(f"the total reads {total_after!r} after a live post, expected '3,001'")
        if live_bars != 1:
            failures.append(f"{live_bars} bars took the live blob, expected 1")

        # Let the arrival highlight fade before the screenshot.
        time.sleep(2.5)
        height = tools.evaluate("Math.ceil(document.documentElement.scrollHeight)")
        tools.send("Emulation.setDeviceMetricsOverride", width=1280, height=min(height, 2400), deviceScaleFactor=1, mobile=False)
        shot = tools.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        screenshot = arguments.screenshot or os.path.join(work, "dashboard.png")
        with open(screenshot, "wb") as output:
            output.write(base64.b64decode(shot["data"]))
        kept = "" if arguments.screenshot else ", removed at the end"
        print(f"screenshot: {screenshot} ({os.path.getsize(screenshot)} bytes{kept})")

        tools.drain()
        for event in tools.events:
            method = event["method"]
            params = event.get("params", {})
            if method == "Runtime.consoleAPICalled":
                texts = [str(argument.get("value", argument.get("description", ""))) for argument in params.get("args", [])]
                failures.append(f"console.{params.get('type')}: {' '.join(texts)}")
            elif method == "Runtime.exceptionThrown":
                failures.append(f"uncaught exception: {params['exceptionDetails'].get('text')}")
            elif method == "Log.entryAdded":
                entry = params["entry"]
                failures.append(f"browser log ({entry.get('source')}, {entry.get('level')}): {entry.get('text')}")

        # A blob stored while the script reconnects after a restart must still reach the feed:
        # the script resumes the stream after the last change it showed.
        server.terminate()
        server.wait(timeout=10)
        server = subprocess.Popen([arguments.server], env=environment, stderr=subprocess.DEVNULL)
        wait_for("the restarted server", lambda: _up(base))
        post(base, [persona_blob(generator, int(time.time() * 1000), os_name="AfterRestart OS")])
        wait_for(
            "the blob stored during the reconnection in the feed",
            lambda: "AfterRestart OS" in tools.evaluate("document.querySelector('#feed li')?.textContent || ''"),
        )
        total_after_restart = tools.evaluate("document.getElementById('total').textContent")
        print(f"after a restart: total {total_after_restart}")
        if total_after_restart != "3,002":
            failures.append(f"the total reads {total_after_restart!r} after a restart, expected '3,002'")
    finally:
        if browser:
            browser.terminate()
            browser.wait(timeout=10)
        server.terminate()
        server.wait(timeout=10)
        # A --screenshot path lies outside the work directory, so the directory can always go.
        shutil.rmtree(work, ignore_errors=True)

    if failures:
        for failure in failures:
            print("FAIL:", failure)
        sys.exit(1)
    print("dashboard browser test passed")


def _up(base):
    try:
        with urllib.request.urlopen(base + "/wsapi/ping", timeout=1):
            return True
    except OSError:
        return False


def _targets(debug_port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{debug_port}/json/list", timeout=1) as response:
            targets = json.loads(response.read())
            return targets if any(target["type"] == "page" for target in targets) else None
    except OSError:
        return None


if __name__ == "__main__":
    main()
