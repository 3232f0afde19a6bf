"""Who may see what. A town is entered once per request: resolved, membership checked, and
the session bound to its schema. Another town's object, or a town without membership, is a
404; a committee member with jurisdiction reads every page they are allowed, writes nothing."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask import abort, g, request
from flask_login import current_user
from sqlalchemy import select

from tenants.binding import TownBinding
from tenants.models import Town, TownStatus

from .accounts.models import CommitteeMembership, TownMembership, TownRole, User
from .committees.models import Committee
from .extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALL_TOWN_ROLES = tuple(TownRole)
STAFF = (TownRole.station_admin, TownRole.staff)


@dataclass(frozen=True)
class TownAccess:
    town: Town
    roles: frozenset[TownRole]
    #: the committee through which a non-member reads this town, read-only
    committee: Committee | None

    @property
    def read_only(self) -> bool:
        return not self.roles or self.town.status != TownStatus.active

    def has(self, *roles: TownRole) -> bool:
        return bool(self.roles.intersection(roles))


def town_access(user: User, town: Town) -> TownAccess | None:
    roles = frozenset(
        db.session.scalars(
            select(TownMembership.role).where(TownMembership.user_id == user.id, TownMembership.town_id == town.id)
        )
    )
    committee = None
    if not roles:
        committee = next(
            (c for c in committees_of(user) if c.region.contains(town.region)), None
        )
        if committee is None:
            return None
    return TownAccess(town, roles, committee)


def committees_of(user: User) -> list[Committee]:
    return list(
        db.session.scalars(
            select(Committee).join(CommitteeMembership).where(CommitteeMembership.user_id == user.id)
        )
    )


def load_town(slug: str) -> Town:
    town = db.session.scalar(select(Town).where(Town.slug == slug))
    if town is None or town.status == TownStatus.archived:
        abort(404)
    return town


def enter_town(slug: str) -> TownAccess:
    """Resolve the town, check the current user may see it, bind the session. 404 otherwise."""
    if not current_user.is_authenticated:
        abort(401)
    town = load_town(slug)
    access = town_access(current_user, town)
    if access is None:
        abort(404)
    db.session().bind_town(TownBinding.of(town))
    g.town = town
    g.access = access
    if access.read_only and request.method not in SAFE_METHODS:
        abort(403)
    return access


@contextlib.contextmanager
def bound_to(town_id: int, app=None) -> Iterator[Town]:
    """Enter a town outside a request (jobs, the CLI): a fresh app context whose session is
    bound to the town, in the town's language; committed if the block succeeds, and
    cleaned up whatever happens."""
    from flask import current_app
    from flask_babel import force_locale

    app = app or current_app._get_current_object()
    with app.app_context():
        try:
            town = db.session.get(Town, town_id)
            if town is None:
                raise LookupError(f"town {town_id} does not exist")
            db.session().bind_town(TownBinding.of(town))
            g.town = town
            with force_locale(town.locale):
                yield town
            db.session.commit()
        finally:
            db.session.remove()


def requires(*roles: TownRole, committee: bool = False) -> Callable:
    """Declare on a town route who may use it: these town roles, and committee readers if
    `committee` (read-only: their writes are refused in enter_town already)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            access: TownAccess | None = g.get("access")
            if access is None:
                abort(404)
            if not (access.has(*roles) or (committee and access.committee is not None)):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = frozenset(roles)  # type: ignore[attr-defined]
        wrapped.committee_readable = committee  # type: ignore[attr-defined]
        return wrapped

    return decorator


def town_blueprint(bp) -> None:
    """Make `bp` a town blueprint: its URLs start with /t/<town>/, every request enters the
    town first (404 for anyone without access), and url_for fills in the current town."""

    @bp.url_value_preprocessor
    def _enter(endpoint, values):
        enter_town(values.pop("town"))

    @bp.url_defaults
    def _town(endpoint, values):
        if "town" not in values and g.get("town") is not None:
            values["town"] = g.town.slug


def operator_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            abort(401)
        if not current_user.is_operator:
            abort(404)
        return view(*args, **kwargs)

    return wrapped
