from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("帮扶档案")

    def ready(self):
        from cases import summaries  # noqa: F401 (keeps the dashboard snapshots current)
