"""Constituents reach the station from a phone: the public opinion form, the receipt code,
tracking by that code and rating the answer. No login; nothing private is shown.

Abuse is kept down in layers: a simple arithmetic question (its answer travels signed and
hashed in the form, valid for an hour), a honeypot field humans never see, a once-only key
per form (a double tap or a reload after sending creates one opinion and shows the same
receipt; kept in Redis for a day), and per-address rate limits from the configuration
(PUBLIC_FORM_RATE_LIMIT for sending, PUBLIC_LOOKUP_RATE_LIMIT for anything keyed by a
receipt code, so codes cannot be guessed)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import unicodedata
from datetime import date

from flask import current_app, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from redis.exceptions import RedisError
from sqlalchemy import select

from ..config import DEFAULT_LOCALE
from ..deputies.models import Deputy, DeputyStatus
from ..extensions import csrf, db, limiter
from ..opinions.models import Channel, Kind, Opinion, OpinionCategory, Satisfaction, State
from ..opinions.services import OpinionError, create_opinion, normalize_code, rate, state_labels
from ..station.services import profile
from . import bp

CHECK_SALT = "liaison.public-opinion.check"
CHECK_MAX_AGE = 3600  #: seconds a form (and its question) stays valid
MAX_PHOTOS = 3
MAX_PHOTO_MB = 5
MAX_PHOTO_BYTES = MAX_PHOTO_MB * 1024 * 1024
MAX_TITLE = 60
MAX_TEXT = 2000
MAX_COMMENT = 500
#: the once-only form keys: key -> receipt code ("-" while the first sending is being saved)
ONCE_PREFIX = "liaison:public-opinion:"
ONCE_TTL = 24 * 3600
PENDING = b"-"
#: states in which the constituent may rate the answer
RATABLE = (State.answered, State.feedback_given)
#: a Chinese mobile number, or a landline with or without its area code (spaces, dashes and
#: brackets removed first; +86 / 0086 dropped)
PHONE = re.compile(r"1[3-9]\d{9}|0\d{9,11}|[2-9]\d{6,7}")
#: the rating form's once-only key
KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
CHINESE_DIGITS = "零一二三四五六七八九"


def satisfaction_labels() -> dict:
    return {"satisfied": _l("Satisfied"), "basically": _l("Basically satisfied"),
            "not_satisfied": _l("Not satisfied")}


def state_explanations() -> dict:
    """What each state means, in the constituent's words."""
    return {
        "collected": _l("The station has received your opinion and will look at it within a few working days."),
        "accepted": _l("The station has accepted your opinion and will pass it to the unit responsible."),
        "merged": _l("The same matter was raised before; your opinion is handled together with it."),
        "out_of_scope": _l("This matter is not one the station can handle. Call the station to hear where to "
                           "turn."),
        "assigned": _l("The unit responsible is handling your opinion."),
        "in_progress": _l("The unit responsible is working on it."),
        "answered": _l("The unit has answered. Please tell us whether you are satisfied."),
        "feedback_given": _l("The unit has answered. Please tell us whether you are satisfied."),
        "closed": _l("Your opinion has been handled. Thank you."),
        "reopened": _l("You were not satisfied with the answer; the station is having it handled again."),
    }


def _form_limit() -> str:
    return current_app.config["PUBLIC_FORM_RATE_LIMIT"]


def _lookup_limit() -> str:
    return current_app.config["PUBLIC_LOOKUP_RATE_LIMIT"]


def pretty(code: str) -> str:
    """A receipt code as people read it: ABCD-EFGH."""
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


# --- the public pages' own error pages (no staff navigation, in the visitor's language) -------

@bp.errorhandler(400)
@bp.errorhandler(404)
@bp.errorhandler(413)
@bp.errorhandler(429)
def _error(err):
    db.session.rollback()
    station = profile() if g.get("town") is not None else None
    return render_template("public/error.html", code=err.code, station=station, photo_mb=MAX_PHOTO_MB), err.code


# --- the human check ----------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CHECK_SALT)


def _digest(key: str, answer: int) -> str:
    """The answer, hashed with the form's key: the signed field does not give it away."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, f"{CHECK_SALT}:{key}:{answer}".encode(), hashlib.sha256).hexdigest()[:24]


def new_check() -> dict:
    """A question (two small numbers to add) and the signed field carrying the form's
    once-only key and the answer's hash."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    key = secrets.token_urlsafe(18)
    return {"a": a, "b": b, "token": _serializer().dumps({"k": key, "h": _digest(key, a + b)})}


def _number(raw: str) -> int | None:
    """What was typed as the answer: digits (also full-width) or a Chinese numeral up to 99."""
    text = unicodedata.normalize("NFKC", raw or "").strip().replace(" ", "")
    if text.isdigit() and len(text) <= 3:
        return int(text)
    text = text.replace("两", "二")
    if text and all(ch in CHINESE_DIGITS + "十" for ch in text) and text.count("十") <= 1:
        if "十" not in text:
            return CHINESE_DIGITS.index(text) if len(text) == 1 else None
        tens, _sep, ones = text.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            return None
        return (CHINESE_DIGITS.index(tens) if tens else 1) * 10 + (CHINESE_DIGITS.index(ones) if ones else 0)
    return None


def _checked(form) -> tuple[str | None, str | None]:
    """(the form's once-only key, None) when the question was answered right, else (None, a message)."""
    try:
        payload = _serializer().loads(form.get("check", ""), max_age=CHECK_MAX_AGE)
    except SignatureExpired:
        return None, _("The form was open for more than an hour. Answer the new question and send it again.")
    except BadSignature:
        return None, _("Answer the question, then send the form again.")
    if not isinstance(payload, dict) or not isinstance(payload.get("k"), str) or not isinstance(payload.get("h"), str):
        return None, _("Answer the question, then send the form again.")
    answer = _number(form.get("answer", ""))
    if answer is None or not hmac.compare_digest(payload["h"], _digest(payload["k"], answer)):
        return None, _("That is not the right answer. Please answer the new question.")
    return payload["k"], None


# --- the once-only key (Redis) --------------------------------------------------------------

def _once(key: str) -> str:
    return f"{ONCE_PREFIX}{g.town.id}:{key}"


def _claim(key: str) -> tuple[bool, str | None]:
    """(True, None): this request creates the opinion. (False, code): the same form was sent
    before and gave that receipt code (None while the first sending is still being saved)."""
    from jobs import redis_connection

    try:
        conn = redis_connection()
        for _attempt in range(25):
            if conn.set(_once(key), PENDING, nx=True, ex=ONCE_TTL):
                return True, None
            value = conn.get(_once(key))
            if value is not None and value != PENDING:
                return False, value.decode()
            time.sleep(0.2)  # the first sending is being saved right now
        return False, None
    except RedisError:  # like the rate limit: Redis down must not stop people sending
        current_app.logger.warning("public opinion form: Redis unavailable, the once-only key is not checked")
        return True, None


def _settle(key: str, code: str | None) -> None:
    """Remember the receipt code for the key, or let go of the key when nothing was saved."""
    from jobs import redis_connection

    try:
        if code is None:
            redis_connection().delete(_once(key))
        else:
            redis_connection().set(_once(key), code, ex=ONCE_TTL)
    except RedisError:
        current_app.logger.warning("public opinion form: Redis unavailable, the once-only key is not kept")


# --- the form -----------------------------------------------------------------------------

FIELDS = ("name", "phone", "village", "village_other", "category_id", "title", "text", "deputy")


def _serving_deputy(raw) -> Deputy | None:
    """The deputy the form is addressed to: a serving deputy of this town, else nobody."""
    if not raw or not str(raw).isdigit():
        return None
    deputy = db.session.get(Deputy, int(raw))
    return deputy if deputy is not None and deputy.status == DeputyStatus.serving else None


def _villages() -> list[str]:
    from ..grids.models import Grid

    return [v for v in db.session.scalars(select(Grid.community).distinct().order_by(Grid.community)) if v]


def _categories() -> list[OpinionCategory]:
    return list(db.session.scalars(select(OpinionCategory).where(OpinionCategory.active)
                                   .order_by(OpinionCategory.position, OpinionCategory.id)))


def clean_phone(raw: str) -> str | None:
    """The phone as stored, or None when it does not look like one: a mobile as its 11 digits,
    a landline as written (0398-1234567), without spaces."""
    typed = unicodedata.normalize("NFKC", raw).strip()
    digits = re.sub(r"[\s\-()—]", "", typed)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    if not PHONE.fullmatch(digits):
        return None
    kept = re.sub(r"\s+", "", typed)
    return digits if digits.startswith("1") or len(kept) > 20 else kept


def _clean(form: dict, categories: list[OpinionCategory]) -> tuple[dict, dict]:
    data: dict = {}
    errors: dict = {}
    name = form["name"].strip()
    if len(name) > 32:
        errors["name"] = _("At most %(n)d characters.", n=32)
    data["constituent_name"] = name or None
    phone = form["phone"].strip()
    if phone:
        data["constituent_phone"] = clean_phone(phone)
        if data["constituent_phone"] is None:
            errors["phone"] = _("Enter a mobile number (11 digits) or a landline such as 0398-1234567, "
                                "or leave it empty.")
    village = (form["village_other"].strip() or form["village"].strip())
    if len(village) > 64:
        errors["village_other"] = _("At most %(n)d characters.", n=64)
    data["village"] = village or None
    if form["category_id"]:
        chosen = next((c for c in categories if str(c.id) == form["category_id"]), None)
        if chosen is None:
            errors["category_id"] = _("Choose what the opinion is about.")
        else:
            data["category_id"] = chosen.id
    title = form["title"].strip()
    if not title:
        errors["title"] = _("Say in a few words what it is about.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("At most %(n)d characters.", n=MAX_TITLE)
    data["title"] = title
    text = form["text"].strip()
    if not text:
        errors["text"] = _("Describe your opinion or what you need.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("At most %(n)d characters (you wrote %(count)d).", n=MAX_TEXT, count=len(text))
    data["text"] = text
    return data, errors


def _photos() -> tuple[list[tuple[str, bytes]], str | None]:
    files = [f for f in request.files.getlist("photos") if f and f.filename]
    if len(files) > MAX_PHOTOS:
        return [], _("At most %(n)d photos.", n=MAX_PHOTOS)
    out = []
    for upload in files:
        content = upload.read(MAX_PHOTO_BYTES + 1)
        if len(content) > MAX_PHOTO_BYTES:
            return [], _("Each photo may be at most %(mb)d MB.", mb=MAX_PHOTO_MB)
        name = upload.filename
        if "." not in name[-6:]:  # some phones send a photo without an extension: name it by its content
            name += ".png" if content.startswith(b"\x89PNG") else ".jpg" if content.startswith(b"\xff\xd8\xff") else ""
        out.append((name, content))
    return out, None


def _received_by() -> str:
    """The intake's actor in the history, in the town's language (not the visitor's)."""
    with force_locale(g.town.locale or DEFAULT_LOCALE):
        return _("Constituent (online)")


@bp.route("/opinions/new", methods=["GET", "POST"])
@limiter.limit(_form_limit, methods=["POST"])
def opinion_new():
    categories = _categories()
    form = {key: request.values.get(key, "") for key in FIELDS}
    deputy = _serving_deputy(form["deputy"])
    errors: dict[str, str] = {}
    if request.method == "POST":
        if request.form.get("website"):  # the honeypot: hidden from people, filled in by robots
            errors["form"] = _("The form could not be sent. Please try again.")
        else:
            key, problem = _checked(request.form)
            data, errors = _clean(form, categories)
            photos, photo_problem = _photos()
            if photo_problem:
                errors["photos"] = photo_problem
            if problem:
                errors["answer"] = problem
            if not errors:
                fresh, code = _claim(key)
                if not fresh and code:
                    return redirect(url_for(".opinion_receipt", code=code), 303)
                if not fresh:
                    errors["form"] = _("This form was sent a moment ago and is still being saved. "
                                       "Reload the page in a few seconds.")
                    return _form_page(form, errors, categories, deputy), 409
                try:
                    opinion = create_opinion(actor=None, actor_name=_received_by(), photos=photos, data={
                        **data, "kind": Kind.opinion, "channel": Channel.web_form, "received_on": date.today(),
                        "deputy_id": deputy.id if deputy else None})
                    code = opinion.receipt_code
                    db.session.commit()
                except OpinionError as err:
                    db.session.rollback()
                    _settle(key, None)
                    errors[err.field if err.field in ("photos", "category_id") else "form"] = str(err.message)
                except BaseException:
                    db.session.rollback()
                    _settle(key, None)
                    raise
                else:
                    _settle(key, code)
                    return redirect(url_for(".opinion_receipt", code=code), 303)
    return _form_page(form, errors, categories, deputy), 400 if errors else 200


csrf.exempt(opinion_new)  # the signed check field is this anonymous form's proof of origin (a lost
#                           session cookie must not throw away a long text)


def _form_page(form, errors, categories, deputy):
    # a browser never sends chosen files again: say so when the form comes back
    photos_lost = bool(errors) and request.method == "POST" and any(f.filename for f in request.files.getlist("photos"))
    return render_template("public/opinion_new.html", form=form, errors=errors, categories=categories,
                           photos_lost=photos_lost,
                           villages=_villages(), deputy=deputy, check=new_check(), station=profile(),
                           max_photos=MAX_PHOTOS, max_photo_mb=MAX_PHOTO_MB, max_title=MAX_TITLE,
                           max_text=MAX_TEXT)


# --- receipt, tracking, status, rating ----------------------------------------------------

def _find(code: str) -> Opinion | None:
    return db.session.scalar(select(Opinion).where(Opinion.receipt_code == code, Opinion.kind == Kind.opinion))


def _not_found(raw: str):
    return render_template("public/opinion_track.html", code=raw, station=profile(), errors={
        "code": _("No opinion with this receipt code was sent to this station. Check the code and try again.")}), 404


@bp.get("/o/<code>/receipt")
@limiter.shared_limit(_lookup_limit, scope="public-lookup")
def opinion_receipt(code: str):
    canonical = normalize_code(code)
    if canonical != code:
        return redirect(url_for(".opinion_receipt", code=canonical))
    opinion = _find(code)
    if opinion is None:
        return _not_found(code)
    return render_template("public/opinion_receipt.html", opinion=opinion, pretty=pretty(code), station=profile())


@bp.get("/track")
def opinion_track():
    raw = request.args.get("code")
    if raw is None:
        return render_template("public/opinion_track.html", code="", errors={}, station=profile())
    code = normalize_code(raw)
    if not code:
        return render_template("public/opinion_track.html", code=raw, station=profile(),
                               errors={"code": _("Enter the receipt code, e.g. ABCD-EFGH.")}), 400
    return redirect(url_for(".opinion_status", code=code))


def _timeline(opinion: Opinion) -> list[dict]:
    """The public history: when the opinion reached each state; for an assignment the unit's
    name and the deadline, for the closing the rating. Never who did it, never a note."""
    states, ratings = state_labels(), satisfaction_labels()
    rows = []
    for event in opinion.events:
        if event.from_state == event.to_state:
            continue  # interim replies, extensions, urges: staff business
        data = event.data or {}
        row = {"on": event.created_at.date() if event.created_at else None,
               "state": states.get(event.to_state, event.to_state), "key": event.to_state}
        if event.action == "assign":
            row["unit"] = data.get("unit")
            try:
                row["due_on"] = date.fromisoformat(data["due_on"]) if data.get("due_on") else None
            except ValueError:
                row["due_on"] = None
        if event.action == "close" and data.get("satisfaction") in ratings:
            row["satisfaction"] = ratings[data["satisfaction"]]
        rows.append(row)
    return rows


def _status_page(opinion: Opinion, *, errors=None, notice=None, status=200):
    return render_template(
        "public/opinion_status.html", opinion=opinion, pretty=pretty(opinion.receipt_code), station=profile(),
        state=state_labels()[opinion.state.value], explanation=state_explanations()[opinion.state.value],
        timeline=_timeline(opinion), ratable=opinion.state in RATABLE, ratings=satisfaction_labels(),
        rating_key=secrets.token_urlsafe(18), errors=errors or {}, notice=notice,
        show_unit=opinion.unit is not None and opinion.state not in (State.collected, State.accepted, State.merged,
                                                                     State.out_of_scope),
        show_answer=bool(opinion.answer) and opinion.state in (State.answered, State.feedback_given, State.closed,
                                                               State.reopened)), status


@bp.get("/o/<code>")
@limiter.shared_limit(_lookup_limit, scope="public-lookup")
def opinion_status(code: str):
    canonical = normalize_code(code)
    if canonical != code:
        return redirect(url_for(".opinion_status", code=canonical))
    opinion = _find(code)
    if opinion is None:
        return _not_found(code)
    notice = _("Thank you for your rating.") if request.args.get("rated") and opinion.state == State.closed else None
    return _status_page(opinion, notice=notice)


@bp.post("/o/<code>/rate")
@limiter.shared_limit(_lookup_limit, scope="public-lookup")
def opinion_rate(code: str):
    code = normalize_code(code)
    opinion = _find(code)
    if opinion is None:
        return _not_found(code)
    value = request.form.get("satisfaction", "")
    comment = (request.form.get("comment") or "").strip()
    if value not in {s.value for s in Satisfaction}:
        return _status_page(opinion, errors={"satisfaction": _("Choose one of the three answers.")}, status=400)
    if len(comment) > MAX_COMMENT:
        return _status_page(opinion, errors={"comment": _("At most %(n)d characters.", n=MAX_COMMENT)}, status=400)
    key = request.form.get("key", "")
    key = key if KEY.fullmatch(key) else None
    try:
        applied = rate(opinion, value, by="constituent", actor_name=_received_by(), nonce=key)
    except OpinionError as err:
        db.session.rollback()
        opinion = _find(code)
        message = (_("This opinion has already been rated and closed. Your earlier answer stands; thank you.")
                   if opinion.state == State.closed else str(err.message))
        return _status_page(opinion, errors={"form": message}, status=409)
    if applied and comment and opinion.events and opinion.events[-1].action == "close":
        opinion.events[-1].note = comment  # the constituent's words, in the history staff read
    db.session.commit()
    return redirect(url_for(".opinion_status", code=code, rated=1), 303)
