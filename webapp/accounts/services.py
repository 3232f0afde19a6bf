"""Account rules: signing in, passwords, town membership, API tokens. Callers commit."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from tenants.models import Town

from ..audit.services import record_platform, record_town
from ..extensions import db
from .models import ApiToken, TownMembership, TownRole, User, hash_token


class AccountError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def find_user(identifier: str) -> User | None:
    identifier = identifier.strip()
    return db.session.scalar(
        select(User).where(or_(User.username == identifier.lower(), User.phone == identifier))
    )


@functools.cache
def _nobody() -> str:
    """Checked when nobody has that username or phone, so the answer takes as long either way."""
    return generate_password_hash("no such user")


def authenticate(identifier: str, password: str) -> User | None:
    """The active user with this username or phone and password, else None (and a log entry)."""
    user = find_user(identifier)
    if user is None:
        check_password_hash(_nobody(), password)
    if user is None or not user.is_active or not user.check_password(password):
        record_platform("user.login_failed", actor=user, target=identifier[:128])
        return None
    user.last_login_at = datetime.now(UTC)
    record_platform("user.login", actor=user)
    return user


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """Set a new password; rotating the session token ends every other session of this user."""
    if not user.check_password(current_password):
        raise AccountError(_l("The current password is not correct."), "current_password")
    user.set_password(new_password)
    record_platform("user.password_change", actor=user)


def create_user(*, username: str, display_name: str, password: str, phone: str | None = None,
                is_operator: bool = False, locale: str | None = None) -> User:
    username = username.strip().lower()
    if db.session.scalar(select(func.count()).select_from(User).where(User.username == username)):
        raise AccountError(_l("The username %(username)s is taken.", username=username), "username")
    if phone and db.session.scalar(select(func.count()).select_from(User).where(User.phone == phone)):
        raise AccountError(_l("The phone number %(phone)s belongs to another account.", phone=phone), "phone")
    user = User(username=username, display_name=display_name, phone=phone or None,
                is_operator=is_operator, locale=locale, password_hash="")
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def add_member(town: Town, *, actor: User | None, data: dict) -> tuple[TownMembership, bool]:
    """Give a person a role in `town`, creating their account if the username is new.

    An existing account (someone already working in another town or committee) gets the
    role only when the mobile number registered to it is entered too, so a station admin
    cannot attach, or learn about, accounts by guessing usernames. Returns the membership
    and whether an account was created. The session must be bound to `town` (the town's
    own log is written too).
    """
    user = db.session.scalar(select(User).where(User.username == data["username"].lower()))
    created = False
    if user is not None and (not data.get("phone") or data["phone"] != user.phone):
        raise AccountError(_l("An account named %(username)s already exists. To give it a role here, also enter "
                              "the mobile number registered to it.", username=data["username"].lower()), "username")
    if user is None:
        if not data.get("password"):
            raise AccountError(_l("Set a first password for the new account (at least 8 characters)."), "password")
        user = create_user(username=data["username"], display_name=data["display_name"],
                           password=data["password"], phone=data.get("phone"))
        created = True
    role: TownRole = data["role"]
    exists = db.session.scalar(select(TownMembership).where(
        TownMembership.user_id == user.id, TownMembership.town_id == town.id, TownMembership.role == role))
    if exists:
        raise AccountError(_l("%(name)s already has this role here.", name=user.display_name), "username")
    membership = TownMembership(user=user, town_id=town.id, role=role)
    db.session.add(membership)
    db.session.flush()
    record_platform("member.add", actor=actor, town_id=town.id, target=user.username, details={"role": role.value})
    record_town("member.add", actor=actor, target=user.username, details={"role": role.value})
    return membership, created


def remove_member(membership: TownMembership, *, actor: User) -> None:
    if membership.user_id == actor.id and membership.role == TownRole.station_admin:
        raise AccountError(_l("You cannot remove your own station admin role."))
    record_platform("member.remove", actor=actor, town_id=membership.town_id, target=membership.user.username,
                    details={"role": membership.role.value})
    record_town("member.remove", actor=actor, target=membership.user.username, details={"role": membership.role.value})
    db.session.delete(membership)


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    token, secret = ApiToken.issue(user, name)
    db.session.add(token)
    record_platform("token.create", actor=user, target=name)
    return token, secret


def user_for_token(secret: str) -> User | None:
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    token.last_used_at = datetime.now(UTC)
    return token.user


def revoke_token(token: ApiToken, *, actor: User) -> None:
    token.revoked_at = datetime.now(UTC)
    record_platform("token.revoke", actor=actor, target=token.name)
