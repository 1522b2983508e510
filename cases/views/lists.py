"""The county workspace lists: one filtered, sortable, exportable list per record kind
(``cases.kinds``), whose declaration says what the table's columns read."""

from .generic import ObjectListView


class RecordListView(ObjectListView):
    """The list of one record kind (``as_view(kind=...)``). County staff see one county, so
    the county column is left off their page (exports keep it: files travel between
    offices)."""

    kind = None

    @property
    def model(self):
        return self.kind.model

    @property
    def filterset_class(self):
        return self.kind.filterset

    @property
    def table_class(self):
        return self.kind.table

    @property
    def export_formats(self):
        return self.kind.export_formats

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        if self.kind.has_county_column and self.request.user.is_county_staff:
            kwargs["exclude"] = ("county",)
        return kwargs

    def get_queryset(self):
        return self.kind.list_queryset(self.listed(super().get_queryset()))

    def listed(self, rows):
        return self.kind.listed(rows)
