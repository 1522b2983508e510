"""The kinds of record that can be imported, by their slug in URLs and on ImportRun.kind."""

from .assistance import DividendPaymentKind, EmploymentKind, FinanceAgreementKind
from .helpers import AdvancedCollectiveKind, EnterpriseKind, LaborModelKind
from .households import HouseholdRegister
from .pairings import PairingKind, TrainingAttendanceKind
from .rosters import HelperRosterKind

KINDS = {
    kind.slug: kind
    for kind in (
        HouseholdRegister(), LaborModelKind(), AdvancedCollectiveKind(), EnterpriseKind(),
        FinanceAgreementKind(), DividendPaymentKind(), EmploymentKind(), PairingKind(),
        TrainingAttendanceKind(), HelperRosterKind(),
    )
}


def get_kind(slug):
    return KINDS.get(slug)


def kind_choices():
    return [(slug, kind.label) for slug, kind in KINDS.items()]
