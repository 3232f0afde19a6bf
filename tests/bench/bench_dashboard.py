"""The committee's compliance scorecard (`/c/<committee>/scorecard`, issue #8) over 100 towns,
served by gunicorn with deploy/gunicorn.conf.py as in production, under 16 concurrent
signed-in clients, against a trivial route (`/healthz`: one SELECT 1 and a Redis ping) under
the same load in the same run. Goal: the scorecard's p95 under 50 ms.

    .venv/bin/python tests/bench/bench_dashboard.py [--towns 100] [--clients 16] [--seconds 20]

One town gets the demo's year of Yinzhuang's data (the demo's own seed functions) and its
real rollups for the current quarter and the four before it (`compute_figures`,
`write_rollup`); every other town of the county gets those figures varied per town and
quarter (opinions answered on time, satisfaction, cadence met, overdue findings, missed
checkpoints, deputies taking part), so scores, colours and trends differ. A committee on the
county and one member; each client signs in through the login form (its own cookie session
and CSRF token, its own address in X-Forwarded-For as behind nginx) and then requests the
page back to back, keep-alive, for `--seconds`; the same clients then do the same with the
trivial route. Every response is checked (200; the scorecard lists every town). Before that,
one client alone requests each for a few seconds (the page's own cost, without queueing).
With 16 clients on 2 single-threaded workers the latency is mostly queueing: the mean is
16 / (requests per second), so every millisecond of CPU per request counts. Printed beside
each figure: the CPU per request of the clients (this process), gunicorn (master, workers,
recycled workers) and PostgreSQL (embedded stack only), and the spread of the clients' mean
latencies (kept-alive connections stay with the worker that accepted them, and the two
workers rarely hold 8 each). Server settings come from the environment as in production
(WEB_CONCURRENCY, WEB_THREADS, LIAISON_MAX_REQUESTS; GUNICORN_CMD_ARGS for the rest).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import date
from pathlib import Path

from _common import setup

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "bench-dashboard-2026"


def vary(figures: dict, rng: random.Random) -> dict:
    """A plausible other town's figures, from a real rollup's: the same shape, other values."""
    out = {**figures}
    ops = dict(figures["opinions"])
    scale = rng.uniform(0.5, 1.6)
    for key in ("received", "accepted", "resolved", "answered_with_deadline", "closed", "rated"):
        ops[key] = round(ops[key] * scale)
    ops["on_time"] = round(ops["answered_with_deadline"] * rng.uniform(0.55, 1.0))
    ops["satisfied"] = round(ops["rated"] * rng.uniform(0.6, 1.0))
    ops["on_time_pct"] = round(100 * ops["on_time"] / ops["answered_with_deadline"], 1) \
        if ops["answered_with_deadline"] else None
    ops["satisfaction_pct"] = round(100 * ops["satisfied"] / ops["rated"], 1) if ops["rated"] else None
    if ops["days_to_close"] is not None:
        ops["days_to_close"] = round(ops["days_to_close"] * rng.uniform(0.6, 1.5), 1)
    out["opinions"] = ops
    out["cadence"] = [{**row, "held": max(0, row["held"] - (lost := rng.choice((0, 0, 0, 1, 2)))),
                       "met": max(0, row["met"] - lost)} for row in figures["cadence"]]
    out["findings"] = {**figures["findings"], "overdue": rng.choice((0, 0, 0, 1, 2, 3, 5))}
    out["checkpoints_missed"] = {"briefing": rng.choice((0, 0, 1, 2)), "inspection": rng.choice((0, 0, 0, 1))}
    deputies = dict(figures["deputies"])
    if deputies["serving"]:
        deputies["active"] = round(deputies["serving"] * rng.uniform(0.35, 0.95))
        deputies["participation_pct"] = round(100 * deputies["active"] / deputies["serving"], 1)
    out["deputies"] = deputies
    return out


class Client:
    """One signed-in browser: its own keep-alive connection, cookies and address."""

    def __init__(self, port: int, address: str):
        self.port, self.address, self.cookies = port, address, {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"X-Forwarded-For": self.address, "Accept-Language": "zh-CN"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2, 3):  # a worker recycled by max_requests drops its kept-alive connections
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 3:
                    raise
                time.sleep(0.05 * attempt)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert status == 200 and token, (status, page[:300])
        body = urllib.parse.urlencode({"identifier": username, "password": PASSWORD, "csrf_token": token.group(1)})
        status, page = self.request("POST", "/login", body)
        assert status == 302, (status, page[:500])


def hammer(clients: list[Client], path: str, seconds: float, check) -> tuple[list[float], float, int]:
    """Every client requests `path` back to back for `seconds`; latencies in ms, requests/s, errors."""
    latencies: list[list[float]] = [[] for _ in clients]
    errors = [0] * len(clients)
    start = threading.Barrier(len(clients) + 1)
    stop = [0.0]

    def run(n: int) -> None:
        client = clients[n]
        start.wait()
        while time.perf_counter() < stop[0]:
            t = time.perf_counter()
            try:
                status, page = client.request("GET", path)
            except (http.client.HTTPException, OSError):
                status, page = 0, ""
            latencies[n].append((time.perf_counter() - t) * 1000)
            if status != 200 or not check(page):
                errors[n] += 1

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    stop[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    flat = [ms for per in latencies for ms in per]
    hammer.spread = [statistics.mean(per) for per in latencies if per]  # each client's mean latency
    return flat, len(flat) / elapsed, sum(errors)


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process, its children that have exited
    (reaped: gunicorn recycles workers, PostgreSQL backends end with their connections) and
    its live children."""
    def fields(p: int) -> list[str]:
        try:
            return Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return []

    own = fields(pid)
    total = sum(int(f) for f in own[11:15]) if own else 0  # utime stime cutime cstime
    for child in _children(pid):
        total += sum(int(f) for f in fields(child)[11:13])
    return total / os.sysconf("SC_CLK_TCK")


def cpu_meter(server_pid: int, postmaster_pid: int | None):
    """CPU used from now on by this process (the clients), gunicorn (master and workers) and the
    embedded PostgreSQL (nan for a server given by DATABASE_URL): where a request's cost goes."""
    def sample():
        return (time.process_time(), _tree_cpu(server_pid),
                _tree_cpu(postmaster_pid) if postmaster_pid else float("nan"))

    before = sample()
    return lambda: tuple(a - b for a, b in zip(sample(), before, strict=True))


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--towns", type=int, default=100)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    stack, app, ctx, db, regions = setup("liaison_bench_dashboard")
    server = None
    try:
        import tenants
        from bench_rollups import seed_source_town
        from webapp.access import bound_to
        from webapp.accounts.models import CommitteeMembership
        from webapp.accounts.services import create_user
        from webapp.committees.models import Committee
        from webapp.committees.rollups import (compute_figures, previous_quarter, quarter_bounds, quarter_of,
                                               write_rollup)

        t = time.perf_counter()
        county = regions["411282"].id
        source = seed_source_town(county)
        today = date.today()
        quarters = [quarter_of(today)]
        for _ in range(4):
            quarters.append(previous_quarter(*quarters[-1]))
        real = {}
        for year, quarter in quarters:  # the source town's real rollups, as the nightly job writes them
            with bound_to(source) as town:
                real[(year, quarter)] = compute_figures(town, year, quarter, today)
            write_rollup(source, year, quarter, real[(year, quarter)],
                         provisional=today <= quarter_bounds(year, quarter)[1])
        rng = random.Random(20260808)
        towns = [source]
        for i in range(args.towns - 1):
            town_id = tenants.provision(f"评分{i}镇", county, "yinzhuang", slug=f"sc{i}")
            towns.append(town_id)
            for year, quarter in quarters:
                write_rollup(town_id, year, quarter, vary(real[(year, quarter)], rng),
                             provisional=today <= quarter_bounds(year, quarter)[1])
        committee = Committee(slug="bench", name="灵宝市人大常委会（基准）", region_id=county)
        db.session.add(committee)
        user = create_user(username="bench_committee", display_name="基准 专工委", password=PASSWORD)
        db.session.add(CommitteeMembership(user=user, committee=committee))
        db.session.commit()
        db.session.remove()
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("VACUUM ANALYZE platform.rollups, platform.towns, platform.regions")
        print(f"{len(towns)} towns with {len(quarters)} quarters of rollups each, a committee and its member in "
              f"{time.perf_counter() - t:.0f} s", flush=True)
        db.engine.dispose()

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = tempfile.NamedTemporaryFile("w+", prefix="bench_dashboard_gunicorn_", suffix=".log", delete=False)
        env = {**os.environ, "DATABASE_URL": stack.database_url, "REDIS_URL": stack.redis_url,
               "LIAISON_BIND": f"127.0.0.1:{port}"}
        server = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c",
                                   str(ROOT / "deploy" / "gunicorn.conf.py"), "webapp:create_app()"],
                                  cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                if Client(port, "10.0.0.1").request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise SystemExit("gunicorn did not come up:\n" + log.read()[-3000:])
            time.sleep(0.2)

        postmaster = None  # the embedded server's: its socket lives in its data directory
        from webapp.devstack import instance_dir

        pidfile = instance_dir() / "pg-bench" / "postmaster.pid"
        if str(pidfile.parent) in stack.database_url and pidfile.exists():
            postmaster = int(pidfile.read_text().split()[0])
        clients = [Client(port, f"10.0.1.{n + 1}") for n in range(args.clients)]
        for client in clients:
            client.login("bench_committee")
        page = "/c/bench/scorecard"
        status, html = clients[0].request("GET", page)
        rows = html.count('data-testid="town-')
        scored = html.count('class="lz-rag lz-rag-')
        assert status == 200 and rows == scored == len(towns), (status, rows, scored)
        print(f"scorecard: {rows} towns, {len(html) // 1024} KiB; gunicorn {os.environ.get('WEB_CONCURRENCY', '2')} "
              f"workers x {os.environ.get('WEB_THREADS', '1')} threads (log {log.name})", flush=True)

        def full(text: str) -> bool:
            return text.count('data-testid="town-') == len(towns)

        def healthy(text: str) -> bool:
            return '"ok"' in text

        # Each page in turn: a warm-up (every worker thread has served it), one client alone (the
        # page's own cost), then all of them. The scorecard goes first: at the trivial route's
        # rate, gunicorn's max_requests recycles a worker every few seconds, and a worker booting
        # in the middle would be charged to whichever page is measured then.
        results = {}
        for name, path, check in (("scorecard", page, full), ("trivial", "/healthz", healthy)):
            hammer(clients, path, 3, check)
            latencies, rate, errors = hammer(clients[:1], path, min(5.0, args.seconds), check)
            print(f"  1 client: {name:9} p50 {pct(latencies, 50):6.1f} ms, p95 {pct(latencies, 95):6.1f} ms "
                  f"({rate:.0f}/s)", flush=True)
            used = cpu_meter(server.pid, postmaster)
            latencies, rate, more = hammer(clients, path, args.seconds, check)
            client_cpu, web_cpu, pg_cpu = (x / len(latencies) * 1000 for x in used())
            errors += more
            results[name] = (pct(latencies, 50), pct(latencies, 95), pct(latencies, 99))
            p50, p95, p99 = results[name]
            print(f"  {args.clients} clients: {name:9} {len(latencies):6,} requests, {rate:6.1f}/s, p50 {p50:6.1f} ms, "
                  f"p95 {p95:6.1f} ms, p99 {p99:6.1f} ms, {errors} errors; CPU per request: clients "
                  f"{client_cpu:.2f} ms, gunicorn {web_cpu:.2f} ms, PostgreSQL {pg_cpu:.2f} ms; clients' mean latency "
                  f"{min(hammer.spread):.0f} to {max(hammer.spread):.0f} ms", flush=True)
            if errors:
                raise SystemExit(f"{errors} requests to {path} failed")
        print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1 / 5 / 15 min)")
        p95, trivial = results["scorecard"][1], results["trivial"][1]
        print(f"dashboard: p95 {p95:.0f} ms vs trivial page p95 {trivial:.0f} ms ({args.clients} clients, "
              f"{len(towns)} towns; goal < 50 ms{'' if p95 < 50 else ': missed'})")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
        db.engine.dispose()
        ctx.pop()
        stack.stop()


if __name__ == "__main__":
    main()
