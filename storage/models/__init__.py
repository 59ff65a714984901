"""SQLAlchemy 2 models, one module per part of the loop. Every row carries its workspace (team_id); no
Slack code lives here. Importing this package registers every table on `Base.metadata`."""

from storage.models.base import NAMING_CONVENTION, TEAM_ID, USER_ID, Base, UTCDateTime, str_enum, utcnow
from storage.models.digest import DigestRun, DigestRunState, DigestSubscription, QuietWeek
from storage.models.followups import (
    OWED,
    DeliveryState,
    DirectoryRead,
    FollowUp,
    FollowUpKind,
    FollowUpState,
    Person,
    ReminderDelivery,
    ScheduledCall,
)
from storage.models.interviews import (
    Account,
    CustomerRequest,
    Interview,
    InterviewEdit,
    InterviewKind,
    Pain,
    Participant,
    Quote,
)
from storage.models.modals import OpenedModal
from storage.models.outbox import OutboxKind, OutboxMessage, OutboxState
from storage.models.studies import (
    Answer,
    PointAnswer,
    Study,
    StudyInterview,
    StudyOwner,
    StudyState,
    ValidationPoint,
)
from storage.models.themes import DismissedLookAlike, Theme, ThemeKind, ThemeUpkeep, Topic

__all__ = [
    "NAMING_CONVENTION",
    "OWED",
    "TEAM_ID",
    "USER_ID",
    "Account",
    "Answer",
    "Base",
    "CustomerRequest",
    "DeliveryState",
    "DigestRun",
    "DigestRunState",
    "DigestSubscription",
    "DirectoryRead",
    "DismissedLookAlike",
    "FollowUp",
    "FollowUpKind",
    "FollowUpState",
    "Interview",
    "InterviewEdit",
    "InterviewKind",
    "OpenedModal",
    "OutboxKind",
    "OutboxMessage",
    "OutboxState",
    "Pain",
    "Participant",
    "Person",
    "PointAnswer",
    "QuietWeek",
    "Quote",
    "ReminderDelivery",
    "ScheduledCall",
    "Study",
    "StudyInterview",
    "StudyOwner",
    "StudyState",
    "Theme",
    "ThemeKind",
    "ThemeUpkeep",
    "Topic",
    "UTCDateTime",
    "ValidationPoint",
    "str_enum",
    "utcnow",
]
