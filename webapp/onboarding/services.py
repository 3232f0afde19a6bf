"""Onboarding: invitation codes, the templates a signup may choose, saving a town's
configuration as a template, importing and exporting template files, and the signup itself
(one transaction: the town, its first station admin and the used code, or nothing)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import func, select

import tenants
from tenants import templates as town_templates
from tenants.errors import InvalidTemplate, TenantError
from tenants.models import Region, RegionLevel, TemplateSource, Town, TownTemplate

from ..accounts.models import TownMembership, TownRole, User
from ..accounts.schemas import PHONE_RE, USERNAME_RE
from ..accounts.services import AccountError, create_user
from ..audit.services import record_platform
from ..extensions import db
from .models import Invitation

#: no 0/O, 1/I/L: read aloud over the phone and typed from paper
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class OnboardingError(Exception):
    def __init__(self, message, field: str | None = None, problems: list | None = None):
        super().__init__(str(message))
        self.message, self.field, self.problems = message, field, problems or []


def _now() -> datetime:
    return datetime.now(UTC)


def normalize_code(code: str | None) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}" if len(code) == 12 else code


def issue_invitation(*, region: Region, actor, committee=None, days: int = 30, town_name: str | None = None,
                     template_key: str | None = None) -> Invitation:
    """A code for one town of `region` (a county; within the committee's jurisdiction)."""
    if region is None or region.level != RegionLevel.county:
        raise OnboardingError(_l("Choose the county or county-level city the town belongs to."), "region")
    if committee is not None and not region.path.startswith(committee.region.path):
        raise OnboardingError(_l("Choose a county of your jurisdiction."), "region")
    if not 1 <= days <= 365:
        raise OnboardingError(_l("A code is valid for 1 to 365 days."), "days")
    town_name = (town_name or "").strip() or None
    if town_name and len(town_name) > 64:
        raise OnboardingError(_l("The town's name can be at most 64 characters."), "town_name")
    if template_key and template_key not in {t.key for t in template_choices(committee)}:
        raise OnboardingError(_l("Choose one of the templates offered."), "template")
    invitation = Invitation(code="".join(secrets.choice(CODE_ALPHABET) for _ in range(12)),
                            committee_id=committee.id if committee else None, region_id=region.id,
                            town_name=town_name, template_key=template_key or None,
                            expires_at=_now() + timedelta(days=days), created_by=getattr(actor, "id", None))
    db.session.add(invitation)
    db.session.flush()
    record_platform("invitation.issue", actor=actor, committee_id=invitation.committee_id,
                    target=f"{region.name} {format_code(invitation.code)}")
    return invitation


def find_invitation(code: str | None, *, lock: bool = False) -> Invitation | None:
    query = select(Invitation).where(Invitation.code == normalize_code(code))
    return db.session.scalar(query.with_for_update() if lock else query)


def check_invitation(invitation: Invitation | None) -> Invitation:
    if invitation is None:
        raise OnboardingError(_l("This invitation code is not known. Check it, or ask your committee for one."),
                              "code")
    state = invitation.state(_now())
    if state == "used":
        raise OnboardingError(_l("This invitation code has been used already. Each code signs up one town."),
                              "code")
    if state == "expired":
        raise OnboardingError(_l("This invitation code has expired. Ask your committee for a new one."), "code")
    return invitation


# --- templates -------------------------------------------------------------------------------------

def _latest_stored():
    latest = select(TownTemplate.key, func.max(TownTemplate.version).label("version")).group_by(TownTemplate.key) \
        .subquery()
    return select(TownTemplate).join(latest, (latest.c.key == TownTemplate.key)
                                     & (latest.c.version == TownTemplate.version))


@dataclass(frozen=True)
class Choice:
    key: str
    version: int
    name: str
    name_en: str | None
    description: str | None
    description_en: str | None
    source: str


def _choice(bundle: dict[str, Any], source: str) -> Choice:
    return Choice(bundle["key"], bundle["version"], bundle["name"], bundle.get("name_en"), bundle.get("description"),
                  bundle.get("description_en"), source)


def template_choices(committee=None) -> list[Choice]:
    """What a signup may choose: the shipped templates, and (for a committee's code) the
    templates that committee has published, each at its latest version."""
    out = [_choice(b, "builtin") for b in town_templates.available()]
    if committee is not None:
        published = {row.key: row for row in db.session.scalars(  # the latest published version of each
            select(TownTemplate).where(TownTemplate.committee_id == committee.id, TownTemplate.published)
            .order_by(TownTemplate.version))}
        out += [_choice(row.bundle, row.source.value) for row in sorted(published.values(), key=lambda r: r.name)]
    return out


def stored_templates(*, committee_id: int | None = None, town_id: int | None = None) -> list[TownTemplate]:
    """Stored templates at their latest version: a committee's own and those saved by its towns
    (`committee_id`), or one town's (`town_id`)."""
    query = _latest_stored().order_by(TownTemplate.created_at.desc())
    if committee_id is not None:
        from ..committees.models import Committee

        committee = db.session.get(Committee, committee_id)
        towns = select(Town.id).join(Region, Region.id == Town.region_id).where(
            Region.path.startswith(committee.region.path))
        query = query.where((TownTemplate.committee_id == committee_id) | TownTemplate.town_id.in_(towns))
    if town_id is not None:
        query = query.where(TownTemplate.town_id == town_id)
    return list(db.session.scalars(query))


def town_bundle(town: Town, *, key: str, name: str) -> dict[str, Any]:
    """The town's configuration as it stands, as a template bundle (the session must be bound
    to the town)."""
    from ..activities.models import ActivityType
    from ..evaluations.models import EvaluationTemplate
    from ..opinions.models import OpinionCategory, ResponsibleUnit
    from ..projects.models import SupervisionGroup

    settings = {k: v for k, v in (town.settings or {}).items() if k in ("reception_day", "five_ones",
                                                                        "reception_notice_days", "compliance")}
    bundle: dict[str, Any] = {"key": key, "version": 1, "name": name, "settings": settings}
    bundle["supervision_groups"] = [
        {"code": g.code, "name": g.name, "name_en": g.name_en, "description": g.description}
        for g in db.session.scalars(select(SupervisionGroup).where(SupervisionGroup.active)
                                    .order_by(SupervisionGroup.position))]
    bundle["activity_types"] = [
        {"code": t.code, "name": t.name, "name_en": t.name_en, "cadence": t.cadence.value,
         "expected": t.expected_per_period}
        for t in db.session.scalars(select(ActivityType).where(ActivityType.active).order_by(ActivityType.position))]
    bundle["opinion_categories"] = [
        {"code": c.code, "name": c.name, "name_en": c.name_en, "deadline_days": c.deadline_days,
         "warning_days": c.warning_days}
        for c in db.session.scalars(select(OpinionCategory).where(OpinionCategory.active)
                                    .order_by(OpinionCategory.position))]
    bundle["responsible_units"] = [
        {"name": u.name, "kind": u.kind.value}
        for u in db.session.scalars(select(ResponsibleUnit).where(ResponsibleUnit.active).order_by(ResponsibleUnit.name))]
    evaluation = db.session.scalars(select(EvaluationTemplate).order_by(EvaluationTemplate.version.desc())).first()
    if evaluation is not None:
        bundle["evaluation"] = {
            "name": evaluation.name, "outstanding_count": evaluation.outstanding_count,
            "max_total": _plain(evaluation.max_total), "grades": evaluation.grades,
            "indicators": [{"category": i.category, "code": i.code, "name": i.name, "name_en": i.name_en,
                            "source": i.source.value, "base": _plain(i.base_points), "extra": _plain(i.points_per_extra),
                            "cap": _plain(i.cap), "weight": _plain(i.weight)} for i in evaluation.indicators]}
    return bundle


def _plain(value) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def store_template(bundle: dict[str, Any], *, source: TemplateSource, actor, town_id: int | None = None,
                   committee_id: int | None = None) -> TownTemplate:
    """Store a bundle as the next version of its key (validated first; nothing is stored when a
    problem is found). A shipped template's key cannot be reused."""
    if not isinstance(bundle, dict):
        raise OnboardingError(_l("The template file is not a template."), "file")
    key = bundle.get("key")
    if isinstance(key, str) and town_templates.builtin(key) is not None:
        raise OnboardingError(_l("%(key)s is the key of a template shipped with Liaison: choose another.", key=key),
                              "key")
    owner = db.session.scalar(select(TownTemplate).where(TownTemplate.key == key).order_by(TownTemplate.version)
                              .limit(1)) if isinstance(key, str) else None
    if owner is not None and not ((town_id is not None and owner.town_id == town_id)
                                  or (committee_id is not None and owner.committee_id == committee_id)):
        raise OnboardingError(_l("The key %(key)s belongs to another town's or committee's template: choose another.",
                                 key=key), "key")
    version = (db.session.scalar(select(func.max(TownTemplate.version)).where(TownTemplate.key == key)) or 0) + 1 \
        if isinstance(key, str) else 1
    bundle = {**bundle, "version": version}
    problems = town_templates.validate(bundle)
    if problems:
        raise OnboardingError(problems[0], "template", problems)
    row = TownTemplate(key=key, version=version, name=bundle["name"], name_en=bundle.get("name_en"), bundle=bundle,
                       source=source, town_id=town_id, committee_id=committee_id, created_by=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    record_platform("template.store", actor=actor, town_id=town_id, committee_id=committee_id,
                    target=f"{key} v{version}")
    return row


def template_file(row: TownTemplate) -> bytes:
    """A stored template as a file another deployment (or committee) can import."""
    return json.dumps({"format": town_templates.FILE_FORMAT, "template": row.bundle}, ensure_ascii=False,
                      indent=2).encode("utf-8")


def read_template_file(content: bytes) -> dict[str, Any]:
    """The bundle in an exported template file, or OnboardingError saying what is wrong."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise OnboardingError(_l("The file is not a template file exported from Liaison."), "file") from None
    if not isinstance(data, dict) or data.get("format") != town_templates.FILE_FORMAT or \
            not isinstance(data.get("template"), dict):
        raise OnboardingError(_l("The file is not a template file exported from Liaison."), "file")
    return data["template"]


# --- signup ------------------------------------------------------------------------------------------

class SignupSchema(Schema):
    _req = {"required": _l("This field is required."), "null": _l("This field is required.")}
    code = fields.String(required=True, error_messages=_req)
    town_name = fields.String(required=True, error_messages=_req, validate=validate.Length(
        min=1, max=64, error=_l("The town's name can be at most 64 characters.")))
    template = fields.String(required=True, error_messages={"required": _l("Choose a template.")})
    display_name = fields.String(required=True, error_messages=_req, validate=validate.Length(
        min=1, max=64, error=_l("Enter the person's name.")))
    username = fields.String(required=True, error_messages=_req, validate=validate.Regexp(USERNAME_RE, error=_l(
        "A username is 3 to 64 lower-case letters, digits, dots, dashes or underscores, starting with a letter.")))
    phone = fields.String(required=True, error_messages=_req, validate=validate.Regexp(
        PHONE_RE, error=_l("Enter an 11-digit mobile number.")))
    password = fields.String(required=True, error_messages=_req, validate=validate.Length(
        min=8, max=200, error=_l("The password must be at least 8 characters long.")))
    confirm_password = fields.String(required=True, error_messages=_req)

    @validates_schema
    def _matches(self, data, **kwargs):
        if data.get("password") != data.get("confirm_password"):
            raise ValidationError(_l("The two passwords do not match."), "confirm_password")


def signup(form: dict[str, Any]) -> tuple[Town, User]:
    """Sign a town up with an invitation code: the town (from a spare schema when the pool has
    one), its first station admin and the used code, in one transaction that the caller
    commits. Any refusal raises OnboardingError and leaves nothing (the caller rolls back)."""
    try:
        data = SignupSchema().load({**form, "username": (form.get("username") or "").lower()})
    except ValidationError as err:
        from ..accounts.schemas import first_errors

        field, message = next(iter(first_errors(err).items()))
        raise OnboardingError(message, field) from err
    invitation = check_invitation(find_invitation(data["code"], lock=True))
    from ..committees.models import Committee

    committee = db.session.get(Committee, invitation.committee_id) if invitation.committee_id else None
    choice = next((t for t in template_choices(committee) if t.key == data["template"]), None)
    if choice is None:
        raise OnboardingError(_l("Choose one of the templates offered."), "template")
    try:
        town_id = tenants.provision(data["town_name"], invitation.region_id, choice.key,
                                    template_version=choice.version, conn=db.session.connection())
        user = create_user(username=data["username"], display_name=data["display_name"], password=data["password"],
                           phone=data["phone"])
    except AccountError as err:
        raise OnboardingError(err.message, err.field) from err
    except InvalidTemplate as err:
        raise OnboardingError(err.problems[0], "template", err.problems) from err
    except TenantError as err:
        raise OnboardingError(err.message, "town_name" if err.field in ("name", "slug") else err.field) from err
    town = db.session.get(Town, town_id)
    db.session.add(TownMembership(user_id=user.id, town_id=town_id, role=TownRole.station_admin))
    invitation.used_at, invitation.town_id = _now(), town_id
    record_platform("town.signup", actor=user, town_id=town_id, committee_id=invitation.committee_id,
                    target=f"{town.name} {format_code(invitation.code)}",
                    details={"template": choice.key, "version": choice.version})
    from jobs import enqueue_after_commit
    from jobs.onboarding import refill_spare_pool

    enqueue_after_commit(refill_spare_pool, job_id=f"spare-pool-after-{town_id}")
    return town, user
