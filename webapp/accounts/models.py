"""Users and what they may do: memberships of towns and committees, API tokens."""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from tenants.base import CreatedAt, PlatformModel
from tenants.models import Town


class TownRole(str, enum.Enum):
    station_admin = "station_admin"
    staff = "staff"
    deputy = "deputy"
    presidium = "presidium"


class CommitteeRole(str, enum.Enum):
    member = "member"


def _new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(CreatedAt, PlatformModel):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-case; login accepts it or the phone number
    username: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    #: part of the Flask-Login id; rotating it ends every session of this user
    session_token: Mapped[str] = mapped_column(String(32), default=_new_session_token)
    is_operator: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(16))
    last_login_at: Mapped[datetime | None]

    town_memberships: Mapped[list[TownMembership]] = relationship(back_populates="user", cascade="all, delete-orphan")
    committee_memberships: Mapped[list[CommitteeMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt
        self.session_token = _new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class TownMembership(CreatedAt, PlatformModel):
    __tablename__ = "town_memberships"
    __table_args__ = (UniqueConstraint("user_id", "town_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id", ondelete="CASCADE"), index=True)
    role: Mapped[TownRole] = mapped_column(Enum(TownRole, name="town_role", native_enum=False, length=24))

    user: Mapped[User] = relationship(back_populates="town_memberships")
    town: Mapped[Town] = relationship()


class CommitteeMembership(CreatedAt, PlatformModel):
    __tablename__ = "committee_memberships"
    __table_args__ = (UniqueConstraint("user_id", "committee_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id", ondelete="CASCADE"), index=True)
    role: Mapped[CommitteeRole] = mapped_column(
        Enum(CommitteeRole, name="committee_role", native_enum=False, length=24), default=CommitteeRole.member
    )

    user: Mapped[User] = relationship(back_populates="committee_memberships")
    committee: Mapped["Committee"] = relationship()  # noqa: F821 (webapp.committees.models)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(CreatedAt, PlatformModel):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the first characters, so a user can tell tokens apart
    prefix: Mapped[str] = mapped_column(String(12))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        token = "lz_" + secrets.token_urlsafe(30)
        return cls(user=user, name=name, token_hash=hash_token(token), prefix=token[:10]), token

