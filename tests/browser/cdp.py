#!/usr/bin/env python3
"""cdp.py — drives Debian's headless Chromium over the DevTools protocol on a pipe
(--remote-debugging-pipe: requests on fd 3, answers on fd 4, NUL-terminated JSON), so the
browser tests need nothing beyond python3 and chromium: no WebDriver, no npm package.

    cdp.py load URL [--wait-for JS] [--screenshot OUT.png] [--act STEP]...

Loads URL, waits for the load event (and until the JavaScript expression --wait-for is true),
and prints one JSON object with what the page did:
    {"errors": [...console errors, exceptions, failed requests, CSP violations...],
     "requests": [...every URL the page asked for...],
     "charts": N, "curves": N, "kinds": {"overlay": 1, ...}, "rows": N, "title": "...",
     "waited": true/false}
Each --act STEP (JSON, in order, after the load) drives the real mouse (Input.dispatchMouseEvent)
or reads the page, and adds one entry to "acts" in the output:
    {"move": TARGET}      the pointer moves there: {"under": what is under it (tag, data-trial,
                          its <title> text, the hover text a browser shows)}
    {"click": TARGET}     press and release there; {"dblclick": TARGET} twice, as a double-click
    {"drag": TARGET, "from": [fx, fy], "to": [fx, fy]}   press at the fractions (0-1) of the
                          target's box, move in steps, release
    {"eval": JS}          the expression's value
TARGET is a CSS selector (its first match, scrolled into view: a circle's centre, a path's
midpoint on the line, else its box's centre) or [x, y] in viewport pixels.
Facts only: the shell tests decide what is right. Exits 2 when the browser cannot be driven.
"""
import argparse
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

FACTS = """JSON.stringify({
  charts: document.querySelectorAll('svg.chart').length,
  curves: document.querySelectorAll('svg.chart path.curve').length,
  kinds: Array.from(document.querySelectorAll('svg.chart')).reduce(function (m, s) {
    m[s.dataset.kind] = (m[s.dataset.kind] || 0) + 1; return m; }, {}),
  rows: document.querySelectorAll('table#trials tbody tr').length,
  studies: document.querySelectorAll('table#studies a').length,
  stamp: (document.getElementById('report') || {dataset: {}}).dataset.stamp || null,
  title: document.title})"""


class Browser:
    def __init__(self, binary, timeout):
        self.deadline = time.time() + timeout
        self.profile = tempfile.mkdtemp(prefix="liandan-chromium-")
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()

        def child_fds():
            a, b = os.dup(to_r), os.dup(from_w)  # above 4, so dup2 below never collides
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [binary, "--headless=new", "--remote-debugging-pipe", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--disable-extensions",
                "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
                # nothing may leave the machine: every name resolves nowhere but localhost
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                "--user-data-dir=" + self.profile, "about:blank"]
        self.proc = subprocess.Popen(args, preexec_fn=child_fds, close_fds=False,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(to_r)
        os.close(from_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def close(self):
        try:
            self.send("Browser.close", {}, wait=False)
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_w)
        os.close(self.from_r)
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read_message(self, until):
        while b"\0" not in self.buf:
            left = until - time.time()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.from_r], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(self.from_r, 1 << 20)
                if not chunk:
                    raise SystemExit("cdp.py: chromium closed the pipe (did it crash?)")
                self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params, session=None, wait=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        if not wait:
            return None
        want = self.next_id
        while True:
            m = self._read_message(self.deadline)
            if m is None:
                raise SystemExit("cdp.py: timed out waiting for " + method)
            if m.get("id") == want:
                if "error" in m:
                    raise SystemExit("cdp.py: %s failed: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, name, until):
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == name:
                    return self.events.pop(i)
            m = self._read_message(until)
            if m is None:
                return None
            self.events.append(m)

    def pump(self, seconds):
        until = time.time() + seconds
        while time.time() < until:
            m = self._read_message(until)
            if m is not None:
                self.events.append(m)


def evaluate(b, session, expr):
    r = b.send("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session)
    return r.get("result", {}).get("value")


# where a selector's element is on screen: [x, y, left, top, width, height], or null
LOCATE = """(function (sel) {
  var e = document.querySelector(sel); if (!e) return null;
  e.scrollIntoView({block: 'center', inline: 'center'});
  var b = e.getBoundingClientRect(), x = b.left + b.width / 2, y = b.top + b.height / 2;
  if (e.tagName.toLowerCase() !== 'circle' && e.getTotalLength && e.getScreenCTM) {
    var p = e.getPointAtLength(e.getTotalLength() / 2).matrixTransform(e.getScreenCTM());
    x = p.x; y = p.y;
  }
  return [x, y, b.left, b.top, b.width, b.height];
})(%s)"""

UNDER = """(function (x, y) {
  var e = document.elementFromPoint(x, y); if (!e) return null;
  var m = e.closest('[data-trial]'), t = null;
  for (var n = e; n && !t; n = n.parentElement)
    for (var c = n.firstElementChild; c; c = c.nextElementSibling)
      if (c.tagName.toLowerCase() === 'title') { t = c.textContent; break; }
  return {tag: e.tagName.toLowerCase(), trial: m ? m.getAttribute('data-trial') : null,
          title: t};
})(%f, %f)"""


def mouse(b, session, kind, x, y, buttons=0, clicks=0):
    p = {"type": kind, "x": x, "y": y, "button": "left" if kind != "mouseMoved" else "none",
         "buttons": buttons}
    if clicks:
        p["clickCount"] = clicks
    b.send("Input.dispatchMouseEvent", p, session)


def act(b, session, step):
    """One --act step; returns its entry for "acts"."""
    if "eval" in step:
        return {"eval": evaluate(b, session, step["eval"])}
    kind = next(k for k in ("move", "click", "dblclick", "drag") if k in step)
    target = step[kind]
    if isinstance(target, list):
        where = [target[0], target[1], target[0], target[1], 0, 0]
    else:
        where = evaluate(b, session, LOCATE % json.dumps(target))
        if where is None:
            return {kind: target, "error": "no element matches"}
    x, y = where[0], where[1]
    if kind == "move":
        mouse(b, session, "mouseMoved", x, y)
        b.pump(0.2)
        return {"move": target, "under": evaluate(b, session, UNDER % (x, y))}
    if kind == "drag":
        (fx0, fy0), (fx1, fy1) = step.get("from", [0.25, 0.25]), step.get("to", [0.75, 0.75])
        x0, y0 = where[2] + fx0 * where[4], where[3] + fy0 * where[5]
        x1, y1 = where[2] + fx1 * where[4], where[3] + fy1 * where[5]
        mouse(b, session, "mouseMoved", x0, y0)
        mouse(b, session, "mousePressed", x0, y0, 1, 1)
        for i in range(1, 11):
            mouse(b, session, "mouseMoved", x0 + (x1 - x0) * i / 10, y0 + (y1 - y0) * i / 10, 1)
        mouse(b, session, "mouseReleased", x1, y1, 0, 1)
        b.pump(0.2)
        return {"drag": target, "from": [x0, y0], "to": [x1, y1]}
    mouse(b, session, "mouseMoved", x, y)
    for n in (1, 2) if kind == "dblclick" else (1,):
        mouse(b, session, "mousePressed", x, y, 1, n)
        mouse(b, session, "mouseReleased", x, y, 0, n)
    b.pump(0.2)
    return {kind: target, "at": [x, y]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["load"])
    ap.add_argument("url")
    ap.add_argument("--wait-for", help="JS expression to wait for after the load event")
    ap.add_argument("--screenshot", help="write a PNG of the top of the page here")
    ap.add_argument("--width", type=int, default=1240)
    ap.add_argument("--height", type=int, default=1500)
    ap.add_argument("--timeout", type=float, default=45)
    ap.add_argument("--act", action="append", default=[], type=json.loads,
                    help="a mouse step or an expression to read, as JSON (see above)")
    a = ap.parse_args()
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary:
        print("cdp.py: chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    b = Browser(binary, a.timeout)
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            b.send(domain + ".enable", {}, session)
        b.send("Emulation.setDeviceMetricsOverride",
               {"width": a.width, "height": a.height, "deviceScaleFactor": 1, "mobile": False},
               session)
        b.send("Page.navigate", {"url": a.url}, session)
        loaded = b.wait_event("Page.loadEventFired", b.deadline) is not None
        waited = None
        if a.wait_for:
            waited = False
            while time.time() < b.deadline - 5:
                if evaluate(b, session, a.wait_for):
                    waited = True
                    break
                b.pump(0.5)
        b.pump(0.5)  # late console messages and requests
        acts = [act(b, session, step) for step in a.act]
        facts = json.loads(evaluate(b, session, FACTS) or "{}")
        facts["acts"] = acts
        if a.screenshot:
            shot = b.send("Page.captureScreenshot",
                          {"format": "png", "clip": {"x": 0, "y": 0, "width": a.width,
                                                     "height": a.height, "scale": 1}},
                          session)
            import base64
            with open(a.screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        errors, requests = [], []
        for e in b.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.exceptionThrown":
                errors.append("exception: " + json.dumps(p.get("exceptionDetails", {}))[:300])
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append("console.error: " + json.dumps(p.get("args", []))[:300])
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                errors.append("log: " + p["entry"].get("text", "")[:300])
            elif m == "Network.requestWillBeSent":
                requests.append(p.get("request", {}).get("url", ""))
            elif m == "Network.loadingFailed" and not p.get("canceled"):
                errors.append("request failed: " + p.get("errorText", ""))
        facts.update({"loaded": loaded, "errors": errors, "requests": requests,
                      "waited": waited})
        print(json.dumps(facts))
        return 0
    finally:
        b.close()


if __name__ == "__main__":
    sys.exit(main())
