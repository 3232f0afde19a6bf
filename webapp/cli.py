"""The `liaison` command: operators' tools (migrate every town, create towns and users,
run the worker and the scheduler) and `liaison demo`, which runs the whole product."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

ROOT = Path(__file__).resolve().parent.parent


def _create_app() -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """联络站云 Liaison — operators' commands."""


def register(app: Flask) -> None:
    for command in (db_group, towns_group, users_group, worker, scheduler, seed_demo):
        app.cli.add_command(command)


# --- database ---------------------------------------------------------------------------

@click.group("db", help="Migrate the platform schema and every town schema.")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.option("--workers", default=2, show_default=True, help="Processes upgrading towns in parallel.")
@click.option("--town", "only", multiple=True, help="Only these town slugs (repeatable).")
@click.option("--quiet", is_flag=True, help="Print failures and the summary only.")
@with_appcontext
def db_upgrade(workers: int, only: tuple[str, ...], quiet: bool) -> None:
    """Upgrade the platform schema, then every town (canary first); safe to re-run."""
    from tenants.migrate import MigrationLocked, migration_lock

    from .extensions import db

    try:
        with migration_lock(db.engine):
            _upgrade(db.engine, workers, only, quiet)
    except MigrationLocked as exc:
        raise click.ClickException(str(exc)) from exc


def _upgrade(engine, workers: int, only: tuple[str, ...], quiet: bool) -> None:
    from tenants.migrate import upgrade_platform, upgrade_towns

    before, after = upgrade_platform(engine)
    click.echo(f"platform: {before or '-'} -> {after}")

    def report(r) -> None:
        if r.error:
            click.secho(f"  {r.slug}: FAILED {r.error}", fg="red", err=True)
        elif not quiet:
            state = "at head" if r.before == r.after else f"{r.before or '-'} -> {r.after}"
            click.echo(f"  {r.slug}: {state} ({r.ms:.1f} ms)")

    results = upgrade_towns(engine, workers=workers, only=only or None, report=report)
    failed = [r for r in results if r.error]
    click.echo(f"towns: {len(results) - len(failed)} ok, {len(failed)} failed")
    if failed:
        if len(results) == 1 and len(failed) == 1 and not only:
            click.echo("the canary town failed; no other town was touched", err=True)
        raise SystemExit(1)


@db_group.command("status")
@with_appcontext
def db_status() -> None:
    """Each town's schema revision as last recorded, against head."""
    from sqlalchemy import select

    from tenants.models import Town
    from tenants.schema import head

    from .extensions import db

    wanted = head("town")
    for town in db.session.scalars(select(Town).order_by(Town.slug)):
        mark = "ok" if town.schema_revision == wanted else "BEHIND"
        error = f"  last error: {town.migration_error}" if town.migration_error else ""
        click.echo(f"{town.slug:30} {town.schema_revision or '-':8} {mark}{error}")
    click.echo(f"head: {wanted}")


# --- towns and users --------------------------------------------------------------------

@click.group("towns", help="Create and list towns.")
def towns_group() -> None:
    pass


@towns_group.command("create")
@click.argument("name")
@click.option("--county", required=True, help="The county's code (411282) or name (灵宝市).")
@click.option("--template", default="yinzhuang", show_default=True)
@click.option("--slug", default=None, help="Short name for URLs and the schema; from the pinyin if omitted.")
@click.option("--name-en", default=None)
@with_appcontext
def towns_create(name: str, county: str, template: str, slug: str | None, name_en: str | None) -> None:
    """Provision a town: schema, role, tables at head, seeded from a template."""
    from sqlalchemy import or_, select

    import tenants
    from tenants.errors import TenantError
    from tenants.models import Region, RegionLevel, Town

    from .extensions import db

    region = db.session.scalar(select(Region).where(
        Region.level == RegionLevel.county, or_(Region.code == county, Region.name == county)))
    if region is None:
        raise click.ClickException(f"no county {county!r}")
    try:
        town_id = tenants.provision(name, region, template, slug=slug, name_en=name_en)
    except TenantError as err:
        raise click.ClickException(str(err.message)) from err
    town = db.session.get(Town, town_id)
    click.echo(f"created {town.name} /t/{town.slug}/ schema {town.schema_name}")


@towns_group.command("list")
@with_appcontext
def towns_list() -> None:
    from sqlalchemy import select

    from tenants.models import Town

    from .extensions import db

    for town in db.session.scalars(select(Town).order_by(Town.slug)):
        click.echo(f"{town.slug:24} {town.name:12} {town.status.value:10} {town.schema_name}")


@towns_group.command("show")
@click.argument("slug")
@with_appcontext
def towns_show(slug: str) -> None:
    """A town's configuration, read inside the town (the same binding as a request)."""
    from sqlalchemy import select

    from tenants.models import Town

    from .access import bound_to
    from .activities.models import ActivityType
    from .extensions import db
    from .projects.models import SupervisionGroup
    from .towns.services import reception_rule_text

    town_id = db.session.scalar(select(Town.id).where(Town.slug == slug))
    if town_id is None:
        raise click.ClickException(f"no town {slug!r}")
    with bound_to(town_id) as town:
        click.echo(f"{town.name} ({town.slug}) schema {town.schema_name}, revision {town.schema_revision}")
        click.echo(f"  {reception_rule_text(town.settings.get('reception_day', {}))}")
        for group in db.session.scalars(select(SupervisionGroup).order_by(SupervisionGroup.position)):
            click.echo(f"  group: {group.name}")
        for kind in db.session.scalars(select(ActivityType).order_by(ActivityType.position)):
            click.echo(f"  activity: {kind.name} ({kind.cadence.value}, {kind.expected_per_period})")


@click.group("users", help="Create users and give them roles.")
def users_group() -> None:
    pass


@users_group.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--phone", default=None)
@click.option("--operator", is_flag=True, help="A platform operator.")
@with_appcontext
def users_create(username: str, display_name: str, password: str, phone: str | None, operator: bool) -> None:
    from .accounts.services import AccountError, create_user
    from .extensions import db

    try:
        create_user(username=username, display_name=display_name, password=password, phone=phone,
                    is_operator=operator)
    except AccountError as err:
        raise click.ClickException(str(err.message)) from err
    db.session.commit()
    click.echo(f"created {username}")


# --- jobs -------------------------------------------------------------------------------

@click.command("worker")
@click.option("--queues", default="default,rollups,exports,notify", show_default=True)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker(queues: str, burst: bool) -> None:
    """Run an RQ worker on the given queues."""
    import gc

    from rq import Worker

    from jobs import queue, redis_connection

    from .extensions import db

    _prepare_horses()
    db.engine.dispose()  # work horses are forked: they must not share the parent's connections
    # Collect once, then freeze what survives: the horses never traverse the worker's objects
    # again. Otherwise the first full collection in a horse walks (and so copies on write) the
    # whole inherited heap: 200 ms of a rollup job (tests/bench/bench_rollups.py).
    gc.collect()
    gc.freeze()
    names = [q.strip() for q in queues.split(",") if q.strip()]
    Worker([queue(n) for n in names], connection=redis_connection()).work(burst=burst, logging_level="INFO")


def _prepare_horses() -> None:
    """Do once, in the worker, what every forked work horse would otherwise redo for each job:
    import every job module (and what they import) and configure the ORM mappers. A cold
    horse spent over 100 ms of a 200 ms rollup on that (tests/bench/bench_rollups.py).
    Nothing here touches the database or runs a job's code."""
    import importlib
    import pkgutil

    from sqlalchemy.orm import configure_mappers

    import jobs

    from . import models  # noqa: F401  (every model, so that configure_mappers sees them all)

    for module in pkgutil.iter_modules(jobs.__path__):
        importlib.import_module(f"jobs.{module.name}")
    configure_mappers()


@click.command("scheduler")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between checks.")
@with_appcontext
def scheduler(interval: float) -> None:
    """Enqueue periodic jobs under stable ids. Run exactly one."""
    from jobs import queue
    from jobs.scheduler import run

    from .config import QUEUES

    click.echo("scheduler running")
    run({name: queue(name) for name in QUEUES}, interval=interval)


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Create the demo city, towns, committee and users (idempotent)."""
    from .demo import is_demo_database, seed

    if not is_demo_database():
        raise click.ClickException("this database holds towns that are not the demo's: refusing to seed it")
    for line in seed():
        click.echo(line)


# --- the demo ---------------------------------------------------------------------------

@main.command("demo", with_appcontext=False)
@click.option("--port", default=lambda: int(os.environ.get("PORT", 8000)), show_default="8000")
def demo(port: int) -> None:
    """Run the whole product: embedded PostgreSQL and Redis (unless DATABASE_URL/REDIS_URL
    are set), migrated and seeded, with web, worker and scheduler, until Ctrl-C."""
    from . import devstack

    stack = devstack.start("demo")
    os.environ["DATABASE_URL"], os.environ["REDIS_URL"] = stack.database_url, stack.redis_url
    children: list[subprocess.Popen] = []
    try:
        from . import create_app
        from .demo import seed

        app = create_app()
        with app.app_context():
            from tenants.migrate import upgrade_platform, upgrade_towns

            from .extensions import db

            upgrade_platform(db.engine)
            from .demo import is_demo_database

            if not is_demo_database():
                raise click.ClickException("DATABASE_URL names a database with towns that are not the demo's; "
                                           "the demo seeds only an empty database or its own")
            upgrade_towns(db.engine, workers=1)
            lines = seed()
            db.engine.dispose()
        liaison = str(Path(sys.executable).with_name("liaison"))
        env = {**os.environ, "LIAISON_BIND": f"127.0.0.1:{port}"}
        children.append(subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c",
                                          str(ROOT / "deploy" / "gunicorn.conf.py"), "webapp:create_app()"], env=env))
        children.append(subprocess.Popen([liaison, "worker"], env=env))
        children.append(subprocess.Popen([liaison, "scheduler"], env=env))
        click.echo("")
        for line in lines:
            click.echo(line)
        click.secho(f"\n  Liaison is running at http://127.0.0.1:{port}/  (Ctrl-C stops everything)\n",
                    fg="green", bold=True)
        stop = {"now": False}

        def on_signal(signum, frame):
            stop["now"] = True

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        while not stop["now"]:
            if any(c.poll() is not None for c in children):
                click.secho("a process of the demo stopped; shutting down", fg="red", err=True)
                break
            time.sleep(0.5)
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                child.kill()
        stack.stop()
        click.echo("stopped")
