"""gunicorn settings for Liaison.

    gunicorn -c deploy/gunicorn.conf.py "webapp:create_app()"

Everything an operator tunes per host comes from the environment, so the same file serves
systemd, compose and Kubernetes.
"""

import os

# Loopback by default: nginx (or the ingress) is the only thing that should reach gunicorn.
bind = os.environ.get("LIAISON_BIND", "127.0.0.1:8000")

# Each worker process holds its own SQLAlchemy pool, so workers x threads bounds the
# PostgreSQL connections one host opens. Size with max_connections (or PgBouncer) in mind.
# One worker per core and one thread per worker: a request here is mostly Python (queries take
# well under a millisecond), and two threads of one process only take turns holding the GIL.
# With 2 threads per worker the committee scorecard served 420-470 requests/s on 2 cores,
# with 1 thread 610 (tests/bench/bench_dashboard.py, ADR 0008). gthread still keeps idle
# keep-alive connections (nginx's upstream pool) in its poller while the thread works. The
# price: a slow request (a large import, a signup) holds its worker, and what that worker has
# accepted waits behind it; where that hurts, set WEB_THREADS=2 or add workers.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "1"))

# Requests are short; anything slow (rollups, exports) belongs in an RQ job. A request still
# running after 60 s is stuck, and killing its worker frees the connection it holds.
timeout = 60
graceful_timeout = 30
keepalive = 5

# Recycling a worker now and then bounds what a long-lived Python process may slowly
# accumulate; the jitter keeps workers from restarting together. It is not what bounds the
# PostgreSQL backends' catalog caches (they grow with every town schema touched): the pool's
# pool_recycle replaces connections for that (webapp/config.py). A recycled worker imports the
# app again (~1.5 s of CPU); at 2,000 requests that was ~0.75 ms of every request under load
# (tests/bench/bench_dashboard.py, ADR 0008), at 20,000 it is a tenth of that.
max_requests = int(os.environ.get("LIAISON_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10

# Import the app in each worker, not in the master: nothing (sockets, engine pools) is
# inherited across fork, and a HUP reload brings up workers running the new code.
preload_app = False

# The heartbeat file is touched constantly; on container overlay filesystems /tmp can
# stall it long enough to get healthy workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Trust X-Forwarded-Proto only from the proxy, so url_for(_external=True) and secure
# cookies see https. Behind a Kubernetes ingress the proxy address varies: set "*" there,
# where nothing but the ingress can reach the pod.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def post_worker_init(worker):
    """Give the app the client's address, not the proxy's.

    The login rate limit and the audit log read REMOTE_ADDR, which behind nginx is always
    nginx. For requests from a trusted proxy (FORWARDED_ALLOW_IPS), take the address from
    the last X-Forwarded-For entry, the one that proxy appended; anyone else's header is
    ignored, so a client cannot choose its own address.
    """
    import ipaddress

    from werkzeug.middleware.proxy_fix import ProxyFix

    app, fixed = worker.wsgi, ProxyFix(worker.wsgi, x_for=1)
    entries = [e.strip() for e in forwarded_allow_ips.split(",") if e.strip()]
    trust_all = "*" in entries
    networks = [ipaddress.ip_network(e, strict=False) for e in entries if e != "*"]

    def trusted(peer):
        try:
            return any(ipaddress.ip_address(peer) in n for n in networks)
        except ValueError:  # a Unix socket has no peer address: only local processes reach it
            return True

    def wsgi(environ, start_response):
        if trust_all or trusted(environ.get("REMOTE_ADDR", "")):
            return fixed(environ, start_response)
        return app(environ, start_response)

    worker.wsgi = wsgi


# Logs to stdout/stderr: journald, docker and kubectl collect them.
accesslog = "-"
errorlog = "-"
# %(h)s is the client's address as resolved by post_worker_init above.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
