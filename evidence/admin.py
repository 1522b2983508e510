from django.contrib import admin

from cases.admin import AuditLogAdmin
from evidence.models import Attachment, AttachmentDownload


@admin.register(Attachment)
class AttachmentAdmin(AuditLogAdmin):
    """Which files each record has, read only; the files themselves are downloaded through
    the portal's logged view, not from here."""

    list_display = ("uploaded_at", "original_name", "kind", "size", "content_type", "object_id",
                    "household", "county", "uploaded_by")
    list_filter = ("county", "kind", "content_type")
    list_select_related = ("content_type", "household", "county", "uploaded_by")
    exclude = ("file", "thumbnail")
    search_fields = ("original_name", "uploaded_by__username")

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


@admin.register(AttachmentDownload)
class AttachmentDownloadAdmin(AuditLogAdmin):
    """Who downloaded which evidence file, of which household, when, and whether within an
    export's ZIP."""

    list_display = ("downloaded_at", "user", "attachment", "household", "county", "export")
    list_filter = ("county",)
    list_select_related = ("user", "attachment", "household", "county", "export__user")
    search_fields = ("user__username", "attachment__original_name")

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)
