"""The annual review (一年一审议): the satisfaction vote on each project (paper tallies,
ballot codes for on-site voting), its result against the town's threshold, and the
consultation on next year's candidate projects.

The small services of the review's own (creating it with the year's projects, closing a
vote, the candidates) are at the top, apart from the pages, and shared with the JSON API;
like the ones in services.py they take the actor, flush and leave the commit to the caller."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import ALL_TOWN_ROLES, STAFF, requires
from ..accounts.schemas import clean_form
from ..audit.services import record_town
from ..deputies.models import Deputy, DeputyStatus
from ..deputies.qr import qr_code_svg
from ..extensions import db
from . import bp
from .models import Ballot, Candidate, Project, ProjectReview, RecordKind, SupervisionRecord, Vote, Voter
from .schemas import BallotIssueSchema, CandidateInputSchema, ReviewInputSchema, TallyInputSchema
from .services import ProjectError, Result, create_record, five_ones, issue_ballots, result, set_review


def voter_labels() -> dict:
    return {"voters": _l("Voters' representatives"), "deputies": _l("People's congress deputies")}


def vote_labels() -> dict:
    return {"satisfied": _l("Satisfied"), "basically": _l("Basically satisfied"), "not_satisfied": _l("Not satisfied")}


def kind_label(project: Project) -> str:
    """重点项目 · 续建: the kind of project, and whether it is new this year or continues."""
    kind = _("Key project") if project.kind.value == "key" else _("Livelihood project")
    fresh = _("continuing") if project.continuing else _("new")  # not inside the f-string: extraction misses it there
    return f"{kind} · {fresh}"


# --- the review's services ------------------------------------------------------------------

def annual_review(review_id: int) -> SupervisionRecord | None:
    """The bound town's annual review record with this id (None for any other kind of record)."""
    record = db.session.get(SupervisionRecord, review_id)
    return record if record is not None and record.kind == RecordKind.annual_review else None


def create_annual_review(*, actor, data: dict) -> SupervisionRecord:
    """An annual review of a year's projects (`year`, the day's year unless given): the
    projects named, or every project of that year when none are."""
    year = data.get("year") or data["day"].year
    project_ids = list(dict.fromkeys(data.get("project_ids") or []))
    if project_ids:
        known = set(db.session.scalars(select(Project.id).where(Project.id.in_(project_ids))))
        if known != set(project_ids):
            raise ProjectError(_l("Choose projects of this town."), "project_ids")
    else:
        project_ids = list(db.session.scalars(select(Project.id).where(Project.year == year)))
        if not project_ids:
            raise ProjectError(_l("There are no projects of %(year)d to review. Add the year's projects first.",
                                  year=year), "project_ids")
    check_deputies(data.get("attendee_ids") or [], "attendee_ids")
    return create_record(actor=actor, kind=RecordKind.annual_review, data={
        "day": data["day"], "place": data.get("place"), "summary": data.get("summary"),
        "other_attendees": data.get("other_attendees"), "attendee_ids": data.get("attendee_ids") or [],
        "project_ids": project_ids})


def check_deputies(ids: list[int], name: str) -> None:
    if ids and len(set(db.session.scalars(select(Deputy.id).where(Deputy.id.in_(ids))))) != len(set(ids)):
        raise ProjectError(_l("Choose deputies of this town."), name)


def under_review(record: SupervisionRecord, project_id: int) -> Project | None:
    return next((p for p in record.projects if p.id == project_id), None)


def review_of(record: SupervisionRecord, project: Project) -> ProjectReview | None:
    return db.session.scalar(select(ProjectReview).where(ProjectReview.record_id == record.id,
                                                         ProjectReview.project_id == project.id))


def issue(record: SupervisionRecord, project: Project, *, actor, voter: Voter, count: int) -> list[Ballot]:
    """Ballot codes for one project's vote; the people present must have been entered, and
    the vote must be open."""
    review = review_of(record, project)
    if review is None or not sum((review.present or {}).values()):
        raise ProjectError(_l("Enter the people present first: ballots take their places."), "count")
    if review.closed:
        raise ProjectError(_l("The vote on %(name)s is closed.", name=project.name), "count")
    return issue_ballots(review, voter=voter, count=count, actor=actor)


def close_vote(record: SupervisionRecord, project: Project, *, actor) -> bool:
    """Close one project's vote: no more tallies, ballots or votes by code. False when it was closed already."""
    review = review_of(record, project)
    if review is None:
        raise ProjectError(_l("Nothing to close: no vote on %(name)s has been entered.", name=project.name), "form")
    if review.closed:
        return False
    review.closed = True
    record_town("review.close", actor=actor, target=f"{project.name} #{project.id}",
                details={"record": record.id, "rate": result(review).rate})
    return True


def people_present(record: SupervisionRecord) -> int:
    """Those present at the review: the most people present at any project's vote, or the
    deputies recorded as attending when no vote has been entered yet."""
    counts = [sum(int(v or 0) for v in (r.present or {}).values()) for r in db.session.scalars(
        select(ProjectReview).where(ProjectReview.record_id == record.id))]
    return max(counts + [len(record.attendees)])


def _check_candidate(record: SupervisionRecord, support: int, object_: int) -> None:
    if support < 0 or object_ < 0:
        raise ProjectError(_l("Counts cannot be negative."), "support")
    present = people_present(record)
    if support + object_ > present:
        raise ProjectError(_l("%(votes)d people for or against, but only %(people)d people present.",
                              votes=support + object_, people=present), "support")


def add_candidate(record: SupervisionRecord, *, actor, data: dict) -> tuple[Candidate, bool]:
    """Put a candidate project for next year to the review. The same name twice in one review
    is the same candidate: (it, False) when sent again unchanged, refused when different."""
    if record.kind != RecordKind.annual_review:
        raise ProjectError(_l("Candidates belong to an annual review."), "record")
    name = (data.get("name") or "").strip()
    if not name:
        raise ProjectError(_l("Name the candidate project."), "name")
    support, object_ = int(data.get("support") or 0), int(data.get("object") or 0)
    known = db.session.scalar(select(Candidate).where(Candidate.record_id == record.id, Candidate.name == name))
    if known is not None:
        if (known.description, known.support, known.object, known.comments) == (
                data.get("description"), support, object_, data.get("comments")):
            return known, False
        raise ProjectError(_l("%(name)s is on the list already: change its counts there.", name=name), "name")
    _check_candidate(record, support, object_)
    candidate = Candidate(record_id=record.id, name=name[:120], description=data.get("description"),
                          support=support, object=object_, comments=data.get("comments"))
    db.session.add(candidate)
    db.session.flush()
    record_town("review.candidate", actor=actor, target=f"{name} #{candidate.id}",
                details={"record": record.id, "support": support, "object": object_})
    return candidate, True


def update_candidate(candidate: Candidate, *, actor, data: dict) -> None:
    """The consultation's counts and comments on a candidate (and its name or description);
    the keys left out of `data` stay as they are."""
    record = db.session.get(SupervisionRecord, candidate.record_id)
    support = int(data["support"]) if data.get("support") is not None else candidate.support
    object_ = int(data["object"]) if data.get("object") is not None else candidate.object
    _check_candidate(record, support, object_)
    name = (data.get("name") or candidate.name).strip()
    if name != candidate.name and db.session.scalar(select(Candidate.id).where(
            Candidate.record_id == record.id, Candidate.name == name, Candidate.id != candidate.id)):
        raise ProjectError(_l("%(name)s is on the list already: change its counts there.", name=name), "name")
    candidate.name, candidate.support, candidate.object = name, support, object_
    for key in ("description", "comments"):
        if key in data:
            setattr(candidate, key, data[key])
    record_town("review.candidate", actor=actor, target=f"{candidate.name} #{candidate.id}",
                details={"record": record.id, "support": support, "object": object_})


@dataclass
class ProjectVote:
    """One project's line of the review: its vote (if entered) and the result."""

    project: Project
    review: ProjectReview | None
    result: Result
    ballots_issued: dict[str, int] = field(default_factory=dict)
    ballots_cast: dict[str, int] = field(default_factory=dict)

    @property
    def project_id(self) -> int:
        return self.project.id

    @property
    def project_name(self) -> str:
        return self.project.name

    @property
    def project_year(self) -> int:
        return self.project.year

    @property
    def present(self) -> dict[str, int]:
        return {v.value: int((self.review.present if self.review else {}).get(v.value) or 0) for v in Voter}

    @property
    def tallies(self) -> dict[str, dict[str, int]]:
        stored = self.review.tallies if self.review else {}
        return {v.value: {x.value: int((stored.get(v.value) or {}).get(x.value) or 0) for x in Vote} for v in Voter}

    @property
    def closed(self) -> bool:
        return bool(self.review and self.review.closed)


@dataclass
class Summary:
    record: SupervisionRecord
    threshold: int
    votes: list[ProjectVote]
    candidates: list[Candidate]
    present: int

    @property
    def projects(self) -> int:
        return len(self.votes)

    @property
    def voted(self) -> int:
        return sum(1 for v in self.votes if v.result.total)

    @property
    def passed(self) -> int:
        return sum(1 for v in self.votes if v.result.passed)

    @property
    def unanimous(self) -> int:
        return sum(1 for v in self.votes if v.result.rate == 100)


def summary(record: SupervisionRecord, town) -> Summary:
    """Every project under review with its vote and result, the pass counts, the candidates."""
    threshold = five_ones(town)["pass_threshold"]
    reviews = {r.project_id: r for r in db.session.scalars(
        select(ProjectReview).where(ProjectReview.record_id == record.id).options(selectinload(ProjectReview.ballots)))}
    votes = []
    for project in sorted(record.projects, key=lambda p: (p.kind.value, p.name)):
        review = reviews.get(project.id)
        if review is None:
            outcome = Result({v.value: {x.value: 0 for x in Vote} for v in Voter}, 0, 0, None, threshold)
        else:
            outcome = result(review)
        ballots = review.ballots if review else []
        votes.append(ProjectVote(project, review, outcome,
                                 {v.value: sum(1 for b in ballots if b.voter == v) for v in Voter},
                                 {v.value: sum(1 for b in ballots if b.voter == v and b.vote) for v in Voter}))
    candidates = db.session.scalars(select(Candidate).where(Candidate.record_id == record.id)
                                    .order_by(Candidate.id)).all()
    present = max([sum(v.present.values()) for v in votes] + [len(record.attendees)])
    return Summary(record, threshold, votes, list(candidates), present)


def ballot_url(ballot: Ballot) -> str:
    return url_for("public.ballot", town=g.town.slug, ballot_token=ballot.token, _external=True)


def pct(rate: float | None) -> str:
    """A rate as people write it: 100%, 87.5%, — when nobody voted."""
    if rate is None:
        return "—"
    return f"{rate:.0f}%" if rate == int(rate) else f"{rate:.1f}%"


# --- pages ------------------------------------------------------------------------------------

def _record_or_404(review_id: int) -> SupervisionRecord:
    record = annual_review(review_id)
    if record is None:
        abort(404)
    return record


def _loaded(review_id: int, project_id: int) -> tuple[SupervisionRecord, Project]:
    record = _record_or_404(review_id)
    project = under_review(record, project_id)
    if project is None:
        abort(404)
    return record, project


def _project_page(project: Project) -> str | None:
    """The project's own page, when the project pages are there."""
    if "projects.show" not in current_app.view_functions:
        return None
    return url_for("projects.show", project_id=project.id)


@bp.get("/reviews/")
@requires(*ALL_TOWN_ROLES, committee=True)
def review_index():
    records = db.session.scalars(select(SupervisionRecord).where(SupervisionRecord.kind == RecordKind.annual_review)
                                 .order_by(SupervisionRecord.day.desc(), SupervisionRecord.id.desc())).all()
    return render_template("projects/review_index.html", summaries=[summary(r, g.town) for r in records],
                           staff=g.access.has(*STAFF) and not g.access.read_only)


def _year_projects(year: int) -> list[Project]:
    return list(db.session.scalars(select(Project).where(Project.year == year).order_by(Project.kind, Project.name)))


@bp.route("/reviews/new", methods=["GET", "POST"])
@requires(*STAFF)
def review_new():
    errors: dict[str, str] = {}
    today = date.today()
    year = request.values.get("year", type=int) or today.year
    form: dict = {"day": today.isoformat(), "year": str(year)}
    chosen: set[int] | None = None  # None: every project of the year
    attendees: set[int] = set()
    if request.method == "POST":
        form = clean_form(request.form)
        form.pop("project_ids", None)
        form.pop("attendee_ids", None)
        payload = {**form, "project_ids": request.form.getlist("project_ids"),
                   "attendee_ids": request.form.getlist("attendee_ids")}
        try:
            data = ReviewInputSchema().load(payload)
            chosen, attendees = set(data["project_ids"]), set(data["attendee_ids"])
            record = create_annual_review(actor=current_user, data=data)
        except ValidationError as err:
            errors = _flat(err.normalized_messages())
        except ProjectError as err:
            errors[err.field or "form"] = str(err.message)
        else:
            db.session.commit()
            flash(_("The annual review of %(day)s has been recorded with %(n)d projects.", day=record.day.isoformat(),
                    n=len(record.projects)), "success")
            return redirect(url_for(".review_show", review_id=record.id))
        db.session.rollback()
    deputies = db.session.scalars(select(Deputy).where(Deputy.status == DeputyStatus.serving)
                                  .order_by(Deputy.level, Deputy.name_pinyin)).all()
    return render_template("projects/review_new.html", form=form, errors=errors, year=year,
                           projects=_year_projects(year), chosen=chosen, attendees=attendees,
                           deputies=deputies, kind_label=kind_label), 400 if errors else 200


def _flat(messages: dict, prefix: str = "") -> dict[str, str]:
    """Marshmallow's nested messages as form field names: {"present": {"voters": [..]}} -> present_voters."""
    out: dict[str, str] = {}
    for key, value in messages.items():
        name = f"{prefix}_{key}" if prefix else str(key)
        if isinstance(value, dict):
            if all(isinstance(k, int) for k in value):  # a list field's items
                first = next(iter(value.values()))
                out[name] = str(first[0] if isinstance(first, list) else first)
            else:
                out.update(_flat(value, name))
        else:
            out[name] = str(value[0] if isinstance(value, list) else value)
    return out


@bp.get("/reviews/<int:review_id>")
@requires(*ALL_TOWN_ROLES, committee=True)
def review_show(review_id: int, failed: dict | None = None, status: int = 200):
    record = _record_or_404(review_id)
    staff = g.access.has(*STAFF) and not g.access.read_only
    return render_template(
        "projects/review_show.html", record=record, s=summary(record, g.town), staff=staff, failed=failed or {},
        voters=list(Voter), votes=list(Vote), voter_labels=voter_labels(), vote_labels=vote_labels(), pct=pct,
        project_page=_project_page, kind_label=kind_label), status


def _tally_payload(form) -> dict:
    values = clean_form(form)
    return {"present": {v.value: values.get(f"present_{v.value}", 0) for v in Voter},
            "tallies": {v.value: {x.value: values.get(f"{v.value}_{x.value}", 0) for x in Vote} for v in Voter}}


@bp.post("/reviews/<int:review_id>/projects/<int:project_id>/tally")
@requires(*STAFF)
def review_tally(review_id: int, project_id: int):
    """The paper tallies of one project and the people present, as counted on the day."""
    record, project = _loaded(review_id, project_id)
    errors: dict[str, str] = {}
    try:
        data = TallyInputSchema().load(_tally_payload(request.form))
        review = set_review(record, project, actor=current_user, present=data["present"], tallies=data["tallies"],
                            threshold=five_ones(g.town)["pass_threshold"])
    except ValidationError as err:
        errors = _flat(err.normalized_messages())
    except ProjectError as err:  # which group counted too many: the message does not say
        group = voter_labels().get(err.field)
        errors[err.field or "form"] = _("%(group)s: %(problem)s", group=group, problem=err.message) if group \
            else str(err.message)
    if errors:
        db.session.rollback()
        return review_show(review_id, failed={"project_id": project.id, "what": "tally", "errors": errors,
                                              "form": clean_form(request.form)}, status=400)
    outcome = result(review)
    db.session.commit()
    flash(_("The vote on %(name)s is saved: %(rate)s satisfied.", name=project.name, rate=pct(outcome.rate)),
          "success")
    return redirect(url_for(".review_show", review_id=record.id, _anchor=f"project-{project.id}"))


@bp.post("/reviews/<int:review_id>/projects/<int:project_id>/ballots")
@requires(*STAFF)
def review_issue_ballots(review_id: int, project_id: int):
    """Ballot codes for voting on site by phone. The form carries how many codes the group had
    when it was shown: sent twice (a double click, a reload), it issues them once."""
    record, project = _loaded(review_id, project_id)
    errors: dict[str, str] = {}
    try:
        data = BallotIssueSchema().load({k: v for k, v in clean_form(request.form).items() if k in ("voter", "count")})
    except ValidationError as err:
        errors = _flat(err.normalized_messages())
    else:
        review = review_of(record, project)
        had = sum(1 for b in review.ballots if b.voter == data["voter"]) if review else 0
        if request.form.get(f"had_{data['voter'].value}", type=int) not in (None, had):
            flash(_("These ballot codes were issued already; nothing was changed."), "info")
            return redirect(url_for(".review_ballot_sheet", review_id=record.id, project_id=project.id))
        try:
            issue(record, project, actor=current_user, voter=data["voter"], count=data["count"])
        except ProjectError as err:
            errors[err.field or "form"] = str(err.message)
    if errors:
        db.session.rollback()
        return review_show(review_id, failed={"project_id": project.id, "what": "ballots", "errors": errors,
                                              "form": clean_form(request.form)}, status=400)
    db.session.commit()
    flash(ngettext("%(num)d ballot code issued for %(name)s. Print this sheet and cut it into slips.",
                   "%(num)d ballot codes issued for %(name)s. Print this sheet and cut it into slips.", data["count"],
                   name=project.name), "success")
    return redirect(url_for(".review_ballot_sheet", review_id=record.id, project_id=project.id))


@bp.get("/reviews/<int:review_id>/projects/<int:project_id>/ballots.html")
@requires(*STAFF)
def review_ballot_sheet(review_id: int, project_id: int):
    """The unused ballot codes of a project's vote as an A4 sheet of QR slips."""
    record, project = _loaded(review_id, project_id)
    review = review_of(record, project)
    wanted = request.args.get("voter")
    ballots = [b for b in (review.ballots if review else []) if b.vote is None
               and (wanted not in Voter.__members__ or b.voter.value == wanted)]
    slips = []
    for number, ballot in enumerate(ballots, 1):
        url = ballot_url(ballot)
        slips.append({"ballot": ballot, "number": number, "url": url,
                      "qr": "data:image/svg+xml;base64," + base64.b64encode(qr_code_svg(url)).decode()})
    used = sum(1 for b in (review.ballots if review else []) if b.vote is not None)
    return render_template("projects/review_ballots.html", record=record, project=project, review=review,
                           slips=slips, used=used, voter_labels=voter_labels())


@bp.post("/reviews/<int:review_id>/projects/<int:project_id>/close")
@requires(*STAFF)
def review_close(review_id: int, project_id: int):
    record, project = _loaded(review_id, project_id)
    try:
        closed = close_vote(record, project, actor=current_user)
    except ProjectError as err:
        db.session.rollback()
        return review_show(review_id, failed={"project_id": project.id, "what": "close",
                                              "errors": {"form": str(err.message)}, "form": {}}, status=400)
    db.session.commit()
    if closed:
        flash(_("The vote on %(name)s is closed.", name=project.name), "success")
    return redirect(url_for(".review_show", review_id=record.id, _anchor=f"project-{project.id}"))


def _candidate_form() -> dict:
    return {k: v for k, v in clean_form(request.form).items() if k in CandidateInputSchema().fields}


@bp.post("/reviews/<int:review_id>/candidates")
@requires(*STAFF)
def review_add_candidate(review_id: int):
    """A candidate project for next year, with the support and objections heard."""
    record = _record_or_404(review_id)
    form = _candidate_form()
    errors: dict[str, str] = {}
    try:
        candidate, added = add_candidate(record, actor=current_user, data=CandidateInputSchema().load(form))
    except ValidationError as err:
        errors = _flat(err.normalized_messages())
    except ProjectError as err:
        errors[err.field or "form"] = str(err.message)
    if errors:
        db.session.rollback()
        return review_show(review_id, failed={"candidate": "new", "errors": errors, "form": form}, status=400)
    db.session.commit()
    flash(_("%(name)s is on the list of next year's candidates.", name=candidate.name) if added
          else _("This candidate had already been added; nothing was changed."), "success" if added else "info")
    return redirect(url_for(".review_show", review_id=record.id, _anchor="candidates"))


@bp.post("/reviews/<int:review_id>/candidates/<int:candidate_id>")
@requires(*STAFF)
def review_update_candidate(review_id: int, candidate_id: int):
    record = _record_or_404(review_id)
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None or candidate.record_id != record.id:
        abort(404)
    form = _candidate_form()
    errors: dict[str, str] = {}
    try:  # the row's form sends the counts and the comments; blanks are 0 and no comment
        data = CandidateInputSchema().load({"name": candidate.name, "description": candidate.description, **form})
        update_candidate(candidate, actor=current_user, data=data)
    except ValidationError as err:
        errors = _flat(err.normalized_messages())
    except ProjectError as err:
        errors[err.field or "form"] = str(err.message)
    if errors:
        db.session.rollback()
        return review_show(review_id, failed={"candidate": candidate.id, "errors": errors, "form": form}, status=400)
    db.session.commit()
    flash(_("The consultation on %(name)s is saved.", name=candidate.name), "success")
    return redirect(url_for(".review_show", review_id=record.id, _anchor="candidates"))
