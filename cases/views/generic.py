"""The generic views every page of the county workspace is declared with."""

import logging

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import UpdateView
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from cases import exports, navigation, privacy, sql_exports, tables
from cases.choices import ReviewStatus
from cases.export_jobs import ExportContent, ExportView
from cases.pagination import ScalablePaginator
from cases.services import EditConflict, check_version
from cases.transfers import transfer_offers
from evidence.services import attachment_count, is_attachable
from reliefportal.routers import pinned_to_read_database, use_read_replica


class ScopedObjectMixin(LoginRequiredMixin):
    """Pages see only the rows ``for_user`` allows, so another county's id answers 404, exactly
    as an id that does not exist."""

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user)


class ObjectListView(ScopedObjectMixin, ExportView, SingleTableMixin, FilterView):
    """A filtered, sortable, paginated list of one model, with the filters in the URL, and
    a POST of ``export=csv`` / ``export=xlsx`` to the same URL for exactly the filtered rows in
    the same order (streamed, or made in the background when there are many:
    ``cases.export_jobs``).

    Subclasses declare ``model``, ``filterset_class`` and ``table_class``, and extend
    ``get_queryset`` with the joins their columns need, so a page costs the same number of
    queries however many rows it shows.
    """

    template_name = "cases/object_list.html"
    table_pagination = {"per_page": 25}
    # Bounded counts, a primary-key tie-breaker and id-first paging (cases/pagination.py).
    paginator_class = ScalablePaginator
    export_formats = ("csv", "xlsx")

    def post(self, request, *args, **kwargs):
        """An export: the page's buttons post ``export`` to the page's URL, whose query
        selects the rows. A POST, since an export writes its log (and maybe starts a job)."""
        export_format = request.POST.get("export")
        if export_format not in self.export_formats:
            return HttpResponseBadRequest()
        return self.export_response(export_format)

    def export_content(self, file_format):
        privacy.require_export_permission(self.request.user)
        filterset = self.get_filterset(self.get_filterset_class())
        # Without a query the filter set is unbound: every row, as the page lists them.
        valid = not filterset.is_bound or filterset.is_valid()
        queryset = filterset.qs if valid else filterset.queryset.none()
        extra_columns = []
        if is_attachable(self.model):
            # Files only: the list page itself does not show (or compute) the count.
            queryset = queryset.annotate(attachment_count=attachment_count(self.model))
            extra_columns.append(("attachment_count", tables.attachment_count_column()))
        with use_read_replica():
            # The file streams after this view returns: bind the rows to the replica, if any.
            queryset = pinned_to_read_database(queryset)
        table = RequestConfig(self.request, paginate=False).configure(
            self.table_class(queryset, extra_columns=extra_columns)
        )
        name = str(self.model._meta.verbose_name_plural)
        rows = csv_export = None
        if file_format in ("csv", "xlsx"):
            # Written by PostgreSQL when every column compiles to SQL; else by Python.
            compiled = sql_exports.compile_export(
                table, table.data.data, for_csv=file_format == "csv"
            )
            if compiled is not None and file_format == "csv":
                csv_export = compiled
            elif compiled is not None:
                rows = sql_exports.xlsx_rows(compiled)
        return ExportContent(
            rows=rows if rows is not None else exports.export_rows(table, table.data.data),
            csv_export=csv_export,
            filename=f"{name}-{timezone.localdate():%Y%m%d}",
            sheet_title=name,
            count_up_to=lambda limit: queryset[:limit].count(),
            records=queryset,
        )

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "opts": self.model._meta,
            "create_url": navigation.create_url_for_list(self.request.user, self.model),
            "export_formats": self.export_formats,
        }


def display_value(field, name, value):
    """A cleaned form value as a person reads it, personal numbers masked."""
    if value in (None, "", [], ()):
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if hasattr(value, "__iter__") and not isinstance(value, str):
        return "、".join(str(item) for item in value)
    choices = dict(getattr(field, "flatchoices", None) or getattr(field, "choices", None) or ())
    if not hasattr(value, "_meta") and value in choices:
        return str(choices[value])
    return str(privacy.mask_personal_number(name, value))


REVIEWED_STATES = (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)

logger = logging.getLogger("cases.records")


def log_record_action(level, action, record):
    """One log line per save, naming the record by model and id (never by its content): the
    request id, user and IP come with every line (``RequestContextFilter``)."""
    logger.log(
        level,
        "%s %s %s",
        record._meta.label_lower,
        record.pk,
        action,
        extra={
            "model": record._meta.label_lower, "object_id": record.pk, "version": record.version,
        },
    )


class ObjectEditView(ScopedObjectMixin, UpdateView):
    """Create (no ``pk`` in the URL) or edit one record, with an optional inline formset, in one
    transaction: the record and every row of the formset are saved, or nothing is.

    Only county staff create, and the record's county is set here from the account, never
    from the form. Editing needs the change scope: a record the user may see but not change
    answers 403. A record changed by someone else since the form was opened is not
    overwritten: the user is told what changed and may submit again.
    """

    template_name = "cases/object_form.html"
    formset_class = None

    def get_object(self, queryset=None):
        user = self.request.user
        if "pk" not in self.kwargs:
            if not user.is_county_staff:
                raise PermissionDenied
            return None
        obj = super().get_object(queryset)
        if not self.model.objects.allows(user, obj.pk):
            raise PermissionDenied
        return obj

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_formset(self, form=None):
        """The inline formset, bound to the record the form is filling in."""
        if self.formset_class is None:
            return None
        data = self.request.POST if self.request.method == "POST" else None
        instance = form.instance if form is not None else (self.object or self.model())
        return self.get_formset_class()(
            data, instance=instance, form_kwargs={}, user=self.request.user
        )

    def get_formset_class(self):
        return self.formset_class

    def get_context_data(self, **kwargs):
        kwargs.setdefault("formset", self.get_formset())
        if self.formset_class is not None:
            kwargs["formset_title"] = self.formset_class.model._meta.verbose_name_plural
        context = super().get_context_data(**kwargs)
        return {
            **context,
            "opts": self.model._meta,
            "next_url": navigation.safe_next_url(self.request),
            "transfer_offers": transfer_offers(
                self.request.user, context["form"], context["formset"]
            ),
        }

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        creating = self.object is None
        form = self.get_form()
        formset = self.get_formset(form)
        if form.is_valid() and (formset is None or formset.is_valid()):
            try:
                with transaction.atomic():
                    self.save(form, formset)
            except EditConflict as conflict:
                log_record_action(logging.WARNING, "edit refused: changed meanwhile", form.instance)
                form, formset = self.conflict_forms(form, conflict)
            else:
                log_record_action(logging.INFO, "created" if creating else "saved", self.object)
                messages.success(request, _("已保存。"))
                if self.reopened_for_review:
                    messages.warning(
                        request, _("记录已修改,审核状态已回到草稿,核对后请重新提交审核。")
                    )
                return redirect(self.get_success_url())
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def conflict_forms(self, mine, conflict):
        """The form re-shown after an edit conflict: filled with what is stored now (so a
        second submit cannot silently undo the other person's change), each field the user
        had changed noting beside it what they typed, and one message saying who changed the
        record and when. The member rows are shown as stored."""
        self.object = self.model._default_manager.get(pk=self.object.pk)
        kwargs = {
            **self.get_form_kwargs(), "instance": self.object, "data": None, "files": None,
        }
        form = self.get_form_class()(**kwargs)
        for name, field in form.fields.items():
            if name == "loaded_version" or name not in mine.cleaned_data:
                continue
            stored_value = form.get_initial_for_field(field, name)
            if field.has_changed(stored_value, mine[name].data):
                field.help_text = _("您填写的(未保存):%(value)s") % {
                    "value": display_value(field, name, mine.cleaned_data[name]),
                }
        # The form is unbound (nothing to validate): its one error is set directly.
        form.errors[NON_FIELD_ERRORS] = form.error_class([conflict.message + _(
            "表单现在显示当前保存的内容,您填写而未保存的内容注在相应栏目下方;请核对后再次提交。"
        )], error_class="nonfield")
        return form, self.get_formset(form) if self.formset_class else None

    def get_success_url(self):
        """Where to go after a save: back where the form was opened from (``next``, e.g. the
        case page), else the saved record's own page."""
        return navigation.safe_next_url(self.request) or self.object.get_absolute_url()

    def save(self, form, formset):
        user = self.request.user
        record = form.instance
        self.reopened_for_review = False
        if record.pk:
            check_version(record, form)
            # What the city reviewed is no longer what is stored: it must be reviewed again.
            if getattr(record, "review_status", None) in REVIEWED_STATES:
                record.review_status = ReviewStatus.DRAFT
                self.reopened_for_review = True
        else:
            record.recorded_by = user
            if not record.county_source and record.county_id is None:
                record.county = user.county
        self.object = form.save()
        if formset is not None:
            formset.instance = self.object
            for row in formset.save(commit=False):
                if row.pk is None:
                    row.recorded_by = user
                row.save()
            for row in formset.deleted_objects:
                row.delete()
        # The county is derived from choices the user was allowed; check it all the same.
        if not self.model.objects.allows(user, self.object.pk):
            raise PermissionDenied


