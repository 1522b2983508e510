from .assistance import (
    DividendPayment,
    Employment,
    FinanceAgreement,
    IndustryProject,
    MaterialAid,
    ProjectBeneficiary,
    TrainingAttendance,
    TrainingSession,
    VolunteerEvent,
    Workshop,
)
from .base import CountyOwned, ReviewedRecord
from .beneficiaries import Household, HouseholdEvent, Member, PovertyCause
from .geography import County, Township, UnionBody, Village
from .helpers import AdvancedCollective, Enterprise, ExpertiseField, LaborModel, VolunteerTeam
from .pairings import Pairing
from .privacy import ExportJob, ExportLog, RevealLog
from .review import ReviewEvent
from .summaries import CountyDataVersion, IndicatorSnapshot
from .targets import IndicatorTarget
from .transfers import TransferRequest
from .visits import HouseholdVisit

__all__ = [
    "AdvancedCollective",
    "County",
    "CountyDataVersion",
    "CountyOwned",
    "DividendPayment",
    "Employment",
    "Enterprise",
    "ExportJob",
    "ExportLog",
    "ExpertiseField",
    "FinanceAgreement",
    "Household",
    "HouseholdEvent",
    "HouseholdVisit",
    "IndicatorSnapshot",
    "IndicatorTarget",
    "IndustryProject",
    "LaborModel",
    "MaterialAid",
    "Member",
    "Pairing",
    "PovertyCause",
    "ProjectBeneficiary",
    "ReviewEvent",
    "RevealLog",
    "ReviewedRecord",
    "Township",
    "TransferRequest",
    "TrainingAttendance",
    "TrainingSession",
    "UnionBody",
    "Village",
    "VolunteerEvent",
    "VolunteerTeam",
    "Workshop",
]
