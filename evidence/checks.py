"""Start-up check of the evidence settings that name models (the settings cannot import them)."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def check_evidence_required_for(app_configs, **kwargs):
    from evidence.services import attachable_models

    known = {model._meta.model_name for model in attachable_models()}
    unknown = [name for name in settings.EVIDENCE_REQUIRED_FOR if name not in known]
    if not unknown:
        return []
    return [
        Error(
            f"EVIDENCE_REQUIRED_FOR names unknown record kinds: {', '.join(unknown)}",
            hint=f"Use model names among: {', '.join(sorted(known))}",
            id="evidence.E001",
        )
    ]
