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
from .beneficiaries import Household, Member, PovertyCause
from .geography import County, Township, UnionBody, Village
from .helpers import AdvancedCollective, Enterprise, ExpertiseField, LaborModel, VolunteerTeam
from .pairings import Pairing
from .review import ReviewEvent
from .targets import IndicatorTarget

__all__ = [
    "AdvancedCollective",
    "County",
    "CountyOwned",
    "DividendPayment",
    "Employment",
    "Enterprise",
    "ExpertiseField",
    "FinanceAgreement",
    "Household",
    "IndicatorTarget",
    "IndustryProject",
    "LaborModel",
    "MaterialAid",
    "Member",
    "Pairing",
    "PovertyCause",
    "ProjectBeneficiary",
    "ReviewEvent",
    "ReviewedRecord",
    "Township",
    "TrainingAttendance",
    "TrainingSession",
    "UnionBody",
    "Village",
    "VolunteerEvent",
    "VolunteerTeam",
    "Workshop",
]
