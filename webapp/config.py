"""Configuration from the environment. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY
(otherwise a random key is kept under instance/) and LIAISON_SECURE_COOKIES=1 (behind
https); see docs/operations/deploy.md."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

LOCALES = ("zh_Hans_CN", "en")
DEFAULT_LOCALE = "zh_Hans_CN"
QUEUES = ("default", "rollups", "exports", "notify")


def _secret_key(instance: Path) -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("DATABASE_URL is not set. `make demo` sets it for the embedded PostgreSQL; "
                           "in production point it at your server (postgresql+psycopg://...).")
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def from_environment(instance: Path) -> dict:
    secure = os.environ.get("LIAISON_SECURE_COOKIES", "0") == "1"
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            # recycle so each backend's catalog cache (it grows with every town touched) stays bounded
            "pool_recycle": 900,
            # the app's role sees only `platform` unless a transaction is bound to a town
            "connect_args": {"options": "-c search_path=platform"},
        },
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis down must not lock everyone out: the limit lapses, sign-in keeps working
        "RATELIMIT_SWALLOW_ERRORS": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LIAISON_LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        # The public opinion form (per address, POSTs counted whether they succeed or not). Generous
        # on purpose: a village's phones often reach us through one carrier-grade NAT address, and
        # on a reception day a roomful of people may send from the station's Wi-Fi; the human
        # check and the once-only form key stop the cheap abuse, this only caps a flood (the day
        # cap bounds the junk staff would have to clear).
        "PUBLIC_FORM_RATE_LIMIT": os.environ.get("LIAISON_PUBLIC_FORM_RATE_LIMIT", "10 per 10 minutes;100 per day"),
        # Looking opinions up by receipt code (status, receipt, rating; one budget per address): far
        # more than a person needs, far too few to guess 8-character codes (31^8 of them)
        "PUBLIC_LOOKUP_RATE_LIMIT": os.environ.get("LIAISON_PUBLIC_LOOKUP_RATE_LIMIT", "30 per minute;300 per hour"),
        "BABEL_DEFAULT_LOCALE": DEFAULT_LOCALE,
        # the towns' time zone: dates (date.today()) and times shown are Beijing's (webapp/clock.py)
        "LIAISON_TIMEZONE": os.environ.get("LIAISON_TIMEZONE", "Asia/Shanghai"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("LIAISON_TIMEZONE", "Asia/Shanghai"),
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        # where archived towns' schema dumps are kept (back it up with the database's backups)
        "ARCHIVE_DIR": os.environ.get("LIAISON_ARCHIVE_DIR", str(instance / "archives")),
        # spare town schemas kept ready so a signup only claims and renames one (0: none)
        "SPARE_POOL_SIZE": int(os.environ.get("LIAISON_SPARE_POOL_SIZE", "3")),
        # signups per address (the form checks an invitation code; this caps guessing codes)
        "SIGNUP_RATE_LIMIT": os.environ.get("LIAISON_SIGNUP_RATE_LIMIT", "10 per hour"),
        # the export center (issue #9): where finished files are kept, and for how long. Web and
        # workers must see the same directory (shared storage when they run on different hosts)
        "EXPORT_DIR": os.environ.get("LIAISON_EXPORT_DIR", str(instance / "exports")),
        "EXPORT_KEEP_DAYS": int(os.environ.get("LIAISON_EXPORT_KEEP_DAYS", "7")),
    }
