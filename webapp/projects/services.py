"""Key projects and the five ones: projects (continuing ones carried into the new year),
groups and their members, supervision records, the rectification ledger of findings, the
annual satisfaction vote, and the checkpoints a group is expected to keep. Callers commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from ..audit.services import record_town
from ..extensions import db
from ..uploads import UploadRefused, check_upload
from .models import (Ballot, Finding, FindingEvent, FindingState, Phase, Project, ProjectReview, RecordKind,
                     SupervisionFile, SupervisionGroup, SupervisionRecord, Vote, Voter)


class GroupError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


ProjectError = GroupError

#: the five ones' expected cadence and the annual vote's pass mark, unless the town's settings say otherwise
DEFAULT_FIVE_ONES = {"briefing": "monthly", "inspection": "quarterly", "half_year_report": "half_yearly",
                     "annual_review": "yearly", "pass_threshold": 80}


def five_ones(town) -> dict[str, Any]:
    return {**DEFAULT_FIVE_ONES, **((town.settings or {}).get("five_ones") or {})}


# --- groups ----------------------------------------------------------------------------------

def create_group(*, actor, data: dict) -> SupervisionGroup:
    """Add a supervision group to the bound town. The code must be new in the town."""
    if db.session.scalar(select(SupervisionGroup.id).where(SupervisionGroup.code == data["code"])):
        raise GroupError(_l("A group with the code %(code)s already exists.", code=data["code"]), "code")
    group = SupervisionGroup(code=data["code"], name=data["name"], name_en=data.get("name_en"),
                             description=data.get("description"), position=data.get("position", 0), active=True)
    db.session.add(group)
    db.session.flush()
    record_town("group.create", actor=actor, target=group.code)
    return group


def set_members(group: SupervisionGroup, *, actor, leader_id: int | None, member_ids: list[int]) -> None:
    """The group's deputies; the leader is always one of them."""
    from ..deputies.models import Deputy, DeputyStatus

    ids = set(member_ids) | ({leader_id} if leader_id else set())
    deputies = db.session.scalars(select(Deputy).where(Deputy.id.in_(ids), Deputy.status == DeputyStatus.serving)).all()
    if leader_id and leader_id not in {d.id for d in deputies}:
        raise GroupError(_l("Choose a serving deputy to lead the group."), "leader_id")
    group.members = list(deputies)
    group.leader_deputy_id = leader_id
    record_town("group.members", actor=actor, target=f"{group.name} #{group.id}",
                details={"leader": leader_id, "members": sorted(d.id for d in deputies)})


# --- projects --------------------------------------------------------------------------------

def create_project(*, actor, data: dict[str, Any]) -> Project:
    if db.session.scalar(select(Project.id).where(Project.year == data["year"], Project.name == data["name"])):
        raise ProjectError(_l("The town already has a project called %(name)s in %(year)d.", name=data["name"],
                              year=data["year"]), "name")
    _check_refs(data)
    project = Project(**{k: v for k, v in data.items() if k != "milestones"})
    db.session.add(project)
    db.session.flush()
    record_town("project.create", actor=actor, target=f"{project.name} #{project.id}",
                details={"year": project.year, "kind": project.kind.value})
    return project


def _check_refs(data: dict) -> None:
    from ..opinions.models import ResponsibleUnit

    if data.get("unit_id") is not None and db.session.get(ResponsibleUnit, data["unit_id"]) is None:
        raise ProjectError(_l("Choose the responsible unit."), "unit_id")
    if data.get("group_id") is not None and db.session.get(SupervisionGroup, data["group_id"]) is None:
        raise ProjectError(_l("Choose the supervision group."), "group_id")


def update_project(project: Project, *, actor, data: dict[str, Any]) -> None:
    _check_refs(data)
    changes = {}
    for key, value in data.items():
        if getattr(project, key) != value:
            changes[key] = [str(getattr(project, key)), str(value)]
            setattr(project, key, value)
    if changes:
        record_town("project.update", actor=actor, target=f"{project.name} #{project.id}", details=changes)


def carry_over(project: Project, *, actor, year: int | None = None) -> Project:
    """A continuing project (续建): the same project as a new row for the next year, pointing
    at this one, with its unit, group, phase and progress; its history stays reachable."""
    year = year or project.year + 1
    if year <= project.year:
        raise ProjectError(_l("A project continues into a later year."), "year")
    if db.session.scalar(select(exists().where(Project.continues_id == project.id))):
        raise ProjectError(_l("%(name)s has already been carried over.", name=project.name), "year")
    follow = create_project(actor=actor, data={
        "year": year, "name": project.name, "kind": project.kind, "category": project.category,
        "unit_id": project.unit_id, "group_id": project.group_id, "budget": project.budget,
        "location": project.location, "description": project.description, "phase": project.phase,
        "progress": project.progress})
    follow.continues_id = project.id
    return follow


def lineage(project: Project) -> list[Project]:
    """The project and the earlier years it continues, newest first."""
    chain = [project]
    while chain[-1].continues_id is not None and len(chain) < 20:
        chain.append(db.session.get(Project, chain[-1].continues_id))
    return chain


# --- supervision records ---------------------------------------------------------------------

def create_record(*, actor, kind: RecordKind, data: dict[str, Any]) -> SupervisionRecord:
    """A briefing, inspection, half-year report or annual review, with who came and which
    projects it concerned (a group's own projects when none are named)."""
    from ..deputies.models import Deputy

    group = db.session.get(SupervisionGroup, data["group_id"]) if data.get("group_id") else None
    if kind in (RecordKind.briefing, RecordKind.inspection) and group is None:
        raise ProjectError(_l("Choose the supervision group."), "group_id")
    record = SupervisionRecord(kind=kind, group=group, day=data["day"], place=data.get("place"),
                               summary=data.get("summary"), issues_reported=data.get("issues_reported"),
                               suggestions=data.get("suggestions"), other_attendees=data.get("other_attendees"),
                               sent_to_presidium_on=data.get("sent_to_presidium_on"))
    record.attendees = list(db.session.scalars(select(Deputy).where(Deputy.id.in_(data.get("attendee_ids") or []))))
    project_ids = data.get("project_ids") or []
    if not project_ids and group is not None:
        project_ids = list(db.session.scalars(select(Project.id).where(Project.group_id == group.id,
                                                                       Project.year == record.day.year)))
    record.projects = list(db.session.scalars(select(Project).where(Project.id.in_(project_ids))))
    db.session.add(record)
    db.session.flush()
    record_town(f"supervision.{kind.value}", actor=actor, target=f"{kind.value} {record.day} #{record.id}",
                details={"group": group.code if group else None, "attendees": len(record.attendees)})
    return record


def add_file(*, record: SupervisionRecord | None = None, finding: Finding | None = None, filename: str,
             content: bytes, actor) -> SupervisionFile:
    try:
        mimetype = check_upload(filename, content)
    except UploadRefused as err:
        raise ProjectError(err.message, "file") from err
    stored = SupervisionFile(record_id=record.id if record else None, finding_id=finding.id if finding else None,
                             filename=filename[-200:], mimetype=mimetype, size=len(content), content=content)
    db.session.add(stored)
    db.session.flush()
    return stored


# --- the rectification ledger ----------------------------------------------------------------

FINDING_ACTIONS = {
    "assign": ({FindingState.found, FindingState.assigned}, FindingState.assigned),
    "rectify": ({FindingState.assigned}, FindingState.rectified),
    "verify": ({FindingState.rectified}, FindingState.verified),
    "reject": ({FindingState.rectified}, FindingState.assigned),
}


def record_kind_labels() -> dict[str, Any]:
    """The five ones' record kinds as people name them (pages, the deputy's file)."""
    return {"briefing": _l("Monthly briefing"), "inspection": _l("Quarterly inspection"),
            "half_year_report": _l("Half-year report"), "annual_review": _l("Annual review")}


def finding_state_labels() -> dict[str, Any]:
    return {"found": _l("Found"), "assigned": _l("Being rectified"), "rectified": _l("Rectified, to verify"),
            "verified": _l("Verified")}


def finding_action_labels() -> dict[str, Any]:
    return {"find": _l("Found"), "assign": _l("Assign to a unit"), "rectify": _l("Record the rectification"),
            "verify": _l("Verify"), "reject": _l("Not rectified: back to the unit")}


def add_finding(record: SupervisionRecord, *, actor, description: str, project_id: int | None = None,
                unit_id: int | None = None, due_on: date | None = None) -> Finding:
    if record.kind != RecordKind.inspection:
        raise ProjectError(_l("Findings belong to an inspection."), "record")
    if not (description or "").strip():
        raise ProjectError(_l("Describe what was found."), "description")
    finding = Finding(record=record, project_id=project_id, description=description.strip()[:1000],
                      state=FindingState.found)
    db.session.add(finding)
    finding.events.append(FindingEvent(action="find", from_state=None, to_state=FindingState.found.value,
                                       actor_id=getattr(actor, "id", None),
                                       actor_name=getattr(actor, "display_name", None)))
    db.session.flush()
    if unit_id is not None:
        finding_step(finding, "assign", actor=actor, data={"unit_id": unit_id, "due_on": due_on})
    return finding


def finding_step(finding: Finding, action: str, *, actor, data: dict[str, Any] | None = None,
                 nonce: str | None = None, today: date | None = None) -> bool:
    """Move a finding along the ledger. False when the once-only key was applied already."""
    from ..opinions.models import ResponsibleUnit

    from ..opinions.services import dated

    data = data or {}
    at = dated(today)  # a step recorded for an earlier day is dated that day
    today = today or date.today()
    if action not in FINDING_ACTIONS:
        raise ProjectError(_l("Unknown action."), "action")
    finding = db.session.scalar(select(Finding).where(Finding.id == finding.id).with_for_update()
                                .execution_options(populate_existing=True))
    if nonce and db.session.scalar(select(exists().where(FindingEvent.finding_id == finding.id,
                                                         FindingEvent.nonce == nonce))):
        return False
    sources, target = FINDING_ACTIONS[action]
    if finding.state not in sources:
        raise ProjectError(_l("A finding that is “%(state)s” cannot take the step “%(action)s”.",
                              state=finding_state_labels()[finding.state.value],
                              action=finding_action_labels()[action]), "action")
    note = (data.get("note") or "").strip() or None
    if action == "assign":
        unit = db.session.get(ResponsibleUnit, data.get("unit_id") or 0)
        if unit is None:
            raise ProjectError(_l("Choose the responsible unit."), "unit_id")
        if data.get("due_on") is None or data["due_on"] <= today:
            raise ProjectError(_l("Give a deadline after today."), "due_on")
        finding.unit_id, finding.due_on = unit.id, data["due_on"]
    elif action == "rectify":
        evidence = (data.get("evidence") or "").strip()
        if not evidence:
            raise ProjectError(_l("Describe what was done, as evidence for the group."), "evidence")
        finding.evidence, finding.rectified_on = evidence, today
    elif action == "verify":
        has_file = db.session.scalar(select(exists().where(SupervisionFile.finding_id == finding.id)))
        if not has_file:
            raise ProjectError(_l("A finding is verified against evidence: add a photo or document of the "
                                  "rectification first."), "file")
        finding.verified_on = today
        finding.verified_by = (data.get("by") or getattr(actor, "display_name", None) or "")[:64] or None
    elif action == "reject":
        if not note:
            raise ProjectError(_l("Say what is still not rectified."), "note")
        finding.rectified_on = None
    before = finding.state
    finding.state = target
    db.session.add(FindingEvent(finding_id=finding.id, action=action, from_state=before.value, to_state=target.value,
                                actor_id=getattr(actor, "id", None), actor_name=getattr(actor, "display_name", None),
                                note=note, nonce=nonce or None, **at))
    db.session.flush()
    record_town(f"finding.{action}", actor=actor, target=f"{finding.description[:80]} #{finding.id}",
                details={"from": before.value, "to": target.value})
    return True


# --- the annual vote ---------------------------------------------------------------------------

@dataclass
class Result:
    counts: dict[str, dict[str, int]]  #: voter group -> vote -> count (paper and ballots together)
    total: int
    satisfied: int  #: satisfied + basically satisfied
    rate: float | None  #: percent
    threshold: int

    @property
    def passed(self) -> bool | None:
        return None if self.rate is None else self.rate >= self.threshold


def set_review(record: SupervisionRecord, project: Project, *, actor, present: dict[str, int],
               tallies: dict[str, dict[str, int]], threshold: int) -> ProjectReview:
    """The paper tallies of one project's vote. A tally cannot count more votes than people
    present (less the ballots handed out on site)."""
    if record.kind != RecordKind.annual_review:
        raise ProjectError(_l("Votes belong to an annual review."), "record")
    review = db.session.scalar(select(ProjectReview).where(ProjectReview.record_id == record.id,
                                                           ProjectReview.project_id == project.id))
    if review is None:
        review = ProjectReview(record=record, project=project, present={}, tallies={}, threshold=threshold)
        db.session.add(review)
        db.session.flush()
    if review.closed:
        raise ProjectError(_l("The vote on %(name)s is closed.", name=project.name), "form")
    clean_present, clean_tallies = {}, {}
    for voter in Voter:
        people = int(present.get(voter.value) or 0)
        counts = {v.value: int((tallies.get(voter.value) or {}).get(v.value) or 0) for v in Vote}
        if people < 0 or any(c < 0 for c in counts.values()):
            raise ProjectError(_l("Counts cannot be negative."), f"{voter.value}")
        ballots = sum(1 for b in review.ballots if b.voter == voter)
        if sum(counts.values()) + ballots > people:
            raise ProjectError(_l("%(votes)d votes counted, but only %(people)d people present (%(ballots)d of them "
                                  "with a ballot code).", votes=sum(counts.values()) + ballots, people=people,
                                  ballots=ballots), voter.value)
        clean_present[voter.value], clean_tallies[voter.value] = people, counts
    review.present, review.tallies, review.threshold = clean_present, clean_tallies, threshold
    record_town("review.tally", actor=actor, target=f"{project.name} #{project.id}",
                details={"present": clean_present, "tallies": clean_tallies})
    return review


def issue_ballots(review: ProjectReview, *, voter: Voter, count: int, actor) -> list[Ballot]:
    """Ballot codes for on-site voting by phone: one vote each. They take places of the people present."""
    if review.closed:
        raise ProjectError(_l("The vote is closed."), "count")
    taken = sum((review.tallies.get(voter.value) or {}).values()) + sum(1 for b in review.ballots if b.voter == voter)
    if count < 1 or taken + count > int(review.present.get(voter.value) or 0):
        raise ProjectError(_l("More ballots than people present."), "count")
    made = [Ballot(review=review, token=secrets.token_urlsafe(12), voter=voter) for _ in range(count)]
    db.session.add_all(made)
    db.session.flush()
    record_town("review.ballots", actor=actor, target=f"{review.project.name} #{review.project_id}",
                details={"voter": voter.value, "count": count})
    return made


def cast(token: str, vote: str) -> bool:
    """Cast the vote of one ballot. A ballot counts once: a second use changes nothing (False)."""
    ballot = db.session.scalar(select(Ballot).where(Ballot.token == token).with_for_update())
    if ballot is None:
        raise ProjectError(_l("This ballot code is not valid."), "token")
    if ballot.vote is not None:
        return False
    if ballot.review.closed:
        raise ProjectError(_l("The vote is closed."), "token")
    try:
        ballot.vote = Vote(vote)
    except ValueError:
        raise ProjectError(_l("Choose one of the three answers."), "vote") from None
    ballot.cast_at = datetime.now(UTC)
    return True


def result(review: ProjectReview) -> Result:
    counts = {voter.value: {v.value: int((review.tallies.get(voter.value) or {}).get(v.value) or 0) for v in Vote}
              for voter in Voter}
    for ballot in review.ballots:
        if ballot.vote is not None:
            counts[ballot.voter.value][ballot.vote.value] += 1
    total = sum(sum(c.values()) for c in counts.values())
    satisfied = sum(c[Vote.satisfied.value] + c[Vote.basically.value] for c in counts.values())
    rate = round(100 * satisfied / total, 1) if total else None
    return Result(counts, total, satisfied, rate, review.threshold)


# --- checkpoints: what each group was expected to hold ------------------------------------------

PERIODS = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "yearly": 1}


def _period(cadence: str, day: date) -> int:
    return {"monthly": day.month - 1, "quarterly": (day.month - 1) // 3, "half_yearly": (day.month - 1) // 6,
            "yearly": 0}[cadence]


def period_end(cadence: str, year: int, n: int) -> date:
    """The first day after period `n` of the cadence (the day it counts as missed)."""
    last_month = (n + 1) * (12 // PERIODS[cadence])
    return date(year, last_month + 1, 1) if last_month < 12 else date(year + 1, 1, 1)


@dataclass(frozen=True)
class Missed:
    group_id: int
    kind: RecordKind
    year: int
    period: int  #: 0-based period of the cadence
    cadence: str

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.group_id}:{self.year}:{self.cadence}:{self.period}"


def missed_checkpoints(town, year: int, today: date | None = None) -> list[Missed]:
    """For every active group with projects in `year`: each ended period of the town's
    cadence (briefings, inspections) without a record of that kind is missed."""
    today = today or date.today()
    settings = five_ones(town)
    groups = db.session.scalars(select(SupervisionGroup).where(
        SupervisionGroup.active, exists().where(Project.group_id == SupervisionGroup.id, Project.year == year))).all()
    held: dict[tuple[int, RecordKind], set[int]] = {}
    cadences = {kind: settings[kind.value] for kind in (RecordKind.briefing, RecordKind.inspection)
                if settings.get(kind.value) in PERIODS}
    for group_id, kind, day in db.session.execute(
            select(SupervisionRecord.group_id, SupervisionRecord.kind, SupervisionRecord.day).where(
                SupervisionRecord.kind.in_(list(cadences)), SupervisionRecord.day.between(date(year, 1, 1),
                                                                                           date(year, 12, 31)))):
        held.setdefault((group_id, kind), set()).add(_period(cadences[kind], day))
    out = []
    for group in groups:
        for kind, cadence in cadences.items():
            for n in range(PERIODS[cadence]):
                if period_end(cadence, year, n) > today:
                    break
                if n not in held.get((group.id, kind), set()):
                    out.append(Missed(group.id, kind, year, n, cadence))
    return out


def project_status(project: Project, today: date, missed_groups: set[int]) -> str:
    """red: an overdue finding, or its group missed a checkpoint; amber: open findings; green."""
    findings = db.session.scalars(select(Finding).where(Finding.project_id == project.id,
                                                        Finding.state != FindingState.verified)).all()
    if any(f.overdue(today) for f in findings) or project.group_id in missed_groups:
        return "red"
    return "amber" if findings else "green"


def year_figures(year: int, today: date) -> dict:
    """The five ones in figures for the year: meetings held, findings found, rectified, overdue."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    held = dict(db.session.execute(select(SupervisionRecord.kind, func.count()).where(
        SupervisionRecord.day.between(start, end)).group_by(SupervisionRecord.kind)).all())
    findings = db.session.scalars(select(Finding).join(SupervisionRecord, Finding.record_id == SupervisionRecord.id)
                                  .where(SupervisionRecord.day.between(start, end))).all()
    return {"briefings": held.get(RecordKind.briefing, 0), "inspections": held.get(RecordKind.inspection, 0),
            "reports": held.get(RecordKind.half_year_report, 0), "found": len(findings),
            "rectified": sum(1 for f in findings if f.state in (FindingState.rectified, FindingState.verified)),
            "verified": sum(1 for f in findings if f.state == FindingState.verified),
            "overdue": sum(1 for f in findings if f.overdue(today))}
