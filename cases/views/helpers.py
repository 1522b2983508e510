"""The helpers' pages: a labor model, an advanced collective, an enterprise or co-op. Who they
are, whom they are paired with, and everything they gave.

Each section is one query over the rows the user may see (``for_user``), with the joins its
columns read, so a page costs the same number of queries however much a helper did.
"""

from django.db.models import Count, Q, Sum
from django.views.generic import DetailView

from cases.models import (
    AdvancedCollective,
    Employment,
    Enterprise,
    FinanceAgreement,
    IndustryProject,
    LaborModel,
    MaterialAid,
    Pairing,
    TrainingSession,
    VolunteerTeam,
    Workshop,
)
from cases.selectors import latest_return_comments, return_comment_for

from .review import CasePageMixin


class HelperPageView(CasePageMixin, DetailView):
    """A helper's page. Subclasses name the helper's field on the pairing (``helper_field``)
    and return their sections from ``get_sections``: ``{name: iterable of records}``."""

    helper_field = None

    def scoped(self, model):
        return model.objects.for_user(self.request.user)

    def get_sections(self):
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pairings = (
            self.scoped(Pairing)
            .filter(**{self.helper_field: self.object})
            .select_related("household", "village__township")
        )
        sections = {name: list(rows) for name, rows in self.get_sections().items()}
        sections["pairings"] = list(pairings)
        # The city's latest comment on every returned row of the page, in one query.
        comments = latest_return_comments(row for rows in sections.values() for row in rows)
        for rows in sections.values():
            for row in rows:
                row.return_comment = return_comment_for(comments, row)
        return {**context, **sections}


class LaborModelDetailView(HelperPageView):
    model = LaborModel
    helper_field = "labor_model"

    def get_queryset(self):
        return super().get_queryset().select_related("county").prefetch_related("expertise")

    def get_sections(self):
        labor_model = self.object
        return {
            "sessions": self.scoped(TrainingSession)
            .filter(labor_model=labor_model)
            .select_related("field")
            .annotate(attendee_count=Count("attendance")),
            "aid": self.scoped(MaterialAid)
            .filter(labor_model=labor_model)
            .select_related("household"),
            "enterprises": self.scoped(Enterprise).filter(leader=labor_model),
            "teams": self.scoped(VolunteerTeam).filter(leader=labor_model),
        }


class AdvancedCollectiveDetailView(HelperPageView):
    model = AdvancedCollective
    helper_field = "collective"

    def get_queryset(self):
        return super().get_queryset().select_related("county")

    def get_sections(self):
        collective = self.object
        return {
            "projects": self.scoped(IndustryProject)
            .filter(collective=collective)
            .select_related("village__township")
            .annotate(beneficiary_count=Count("beneficiary_links")),
            "employments": self.scoped(Employment)
            .filter(collective=collective)
            .select_related("member__household"),
        }


class EnterpriseDetailView(HelperPageView):
    model = Enterprise
    helper_field = "enterprise"

    def get_queryset(self):
        return super().get_queryset().select_related("county", "leader")

    def get_sections(self):
        enterprise = self.object
        return {
            "projects": self.scoped(IndustryProject)
            .filter(enterprise=enterprise)
            .select_related("village__township")
            .annotate(beneficiary_count=Count("beneficiary_links")),
            "workshops": self.scoped(Workshop)
            .filter(enterprise=enterprise)
            .select_related("village__township", "project"),
            "agreements": self.scoped(FinanceAgreement)
            .filter(enterprise=enterprise)
            .select_related("household")
            .annotate(dividends_paid=Sum("dividends__amount")),
            # Jobs in the enterprise itself and in the workshops it runs.
            "employments": self.scoped(Employment)
            .filter(Q(enterprise=enterprise) | Q(workshop__enterprise=enterprise))
            .select_related("member__household", "workshop"),
        }
