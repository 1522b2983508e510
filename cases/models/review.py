from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.querysets import ScopedQuerySet


class ReviewEvent(models.Model):
    """One step of a record's review: the county submitted (or resubmitted) it, or the city
    approved or returned it. Written by the review services, never edited: it is the review's
    audit trail, and a returned record's events carry the reviewer's comment the county reads
    before correcting and resubmitting."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("提交审核")
        RESUBMITTED = "resubmitted", _("修改后重新提交")
        APPROVED = "approved", _("审核通过")
        RETURNED = "returned", _("退回修改")

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录类型")
    )
    object_id = models.PositiveBigIntegerField(_("记录编号"))
    record = GenericForeignKey("content_type", "object_id")
    # The record's county, copied so the trail is scoped like the record without a join.
    county = models.ForeignKey(
        "cases.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    comment = models.TextField(_("审核意见"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("操作人"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()

    county_lookup = "county"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="review_event_record_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="returned") | ~Q(comment=""),
                name="review_event_return_has_comment",
                violation_error_message=_("退回修改时须填写审核意见。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}"
