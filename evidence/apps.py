from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evidence"
    verbose_name = _("佐证材料")

    def ready(self):
        from cases.counties import record_moved
        from evidence import checks  # noqa: F401 (registers the start-up check)
        from evidence.services import attachments_follow_record

        record_moved.connect(attachments_follow_record, dispatch_uid="evidence-follow-county")
