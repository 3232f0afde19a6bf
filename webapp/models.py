"""Imports every model module, so both metadata objects are complete once this is loaded."""

from tenants.models import Region, SpareSchema, Town, TownTemplate  # noqa: F401
from webapp.accounts.models import ApiToken, CommitteeMembership, TownMembership, User  # noqa: F401
from webapp.activities.models import Activity, ActivityFile, ActivityInvitee, ActivityType  # noqa: F401
from webapp.audit.models import PlatformAuditEntry, TownAuditEntry  # noqa: F401
from webapp.committees.models import Committee, NoticeEvent, Rollup, SupervisionNotice  # noqa: F401
from webapp.exports.models import Export  # noqa: F401
from webapp.evaluations.models import (EvaluationIndicator, EvaluationResult, EvaluationScore,  # noqa: F401
                                        EvaluationTemplate, EvaluationYear, Objection)
from webapp.notifications.models import Notification  # noqa: F401
from webapp.projects.models import (Ballot, Candidate, Finding, FindingEvent, Milestone, Project,  # noqa: F401
                                     ProjectReview, SupervisionFile, SupervisionGroup, SupervisionRecord)
from webapp.deputies.models import Deputy, DeputyPhoto  # noqa: F401
from webapp.station.models import StationProfile  # noqa: F401
from webapp.grids.models import Grid, GridHead  # noqa: F401
from webapp.studios.models import Studio  # noqa: F401
from webapp.receptions.models import ReceptionDay, RotaEntry  # noqa: F401
from webapp.opinions.models import (Opinion, OpinionCategory, OpinionEvent, OpinionFile, OpinionUrge,  # noqa: F401
                                    ResponsibleUnit, SuggestionSeconder)
from webapp.onboarding.models import Invitation  # noqa: F401
