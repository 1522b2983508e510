from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from imports.kinds import KINDS, kind_choices
from imports.models import ImportPreset
from imports.readers import FileProblem, sniff_format
from imports.services import LATEST_PRESET
from imports.uploads import max_upload_bytes


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入类型"), choices=kind_choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=_(
            "Excel(.xlsx 或 .xls)或 CSV(UTF-8 或 GB18030 编码);表头可在标题行之后,"
            "可为两行合并表头。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )

    # Which mapping the file is checked through: the county's latest of its kind, none, or a
    # preset the clerk picks (by pk).
    AUTOMATIC, NO_PRESET = "", "none"
    preset = forms.ChoiceField(
        label=_("列对应方案"), required=False,
        help_text=_("默认使用本县区最近保存的同类方案;也可指定某个方案,或不用方案。"),
    )

    def __init__(self, *args, user, upload_too_large=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.presets = {
            str(preset.pk): preset
            for preset in ImportPreset.objects.for_user(user, "change").order_by("kind", "name")
        }
        by_kind = {}
        for key, preset in self.presets.items():
            by_kind.setdefault(preset.kind, []).append((key, preset.name))
        self.fields["preset"].choices = [
            (self.AUTOMATIC, _("自动:本县区最近保存的同类方案")),
            (self.NO_PRESET, _("不使用对应方案")),
            *((str(KINDS[kind].label), choices) for kind, choices in by_kind.items()
              if kind in KINDS),
        ]
        if not self.presets:
            self.fields["preset"].widget = forms.HiddenInput()
        if upload_too_large:
            # The upload handler dropped the file while it streamed in (imports.uploads).
            self.fields["file"].error_messages["required"] = self.too_large_message()
        self.helper = FormHelper()
        self.helper.add_input(Submit("upload", _("上传并检查")))

    @staticmethod
    def too_large_message():
        return _("文件超过 %(limit)s MB,请分成几个文件导入。") % {
            "limit": settings.IMPORT_MAX_UPLOAD_MB
        }

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > max_upload_bytes():
            raise ValidationError(self.too_large_message())
        head = uploaded.read(8)
        uploaded.seek(0)
        try:
            sniff_format(uploaded.name, head)
        except FileProblem as problem:
            raise ValidationError(str(problem)) from None
        return uploaded

    def clean(self):
        cleaned_data = super().clean()
        chosen = self.presets.get(cleaned_data.get("preset") or "")
        if chosen is not None and cleaned_data.get("kind") and chosen.kind != cleaned_data["kind"]:
            self.add_error("preset", _("该方案属于“%(kind)s”导入,与所选的导入类型不符。")
                           % {"kind": KINDS[chosen.kind].label})
        return cleaned_data

    def chosen_preset(self):
        """The preset to check the file through: an ImportPreset, None for none, or
        ``LATEST_PRESET`` for the county's latest of the kind."""
        choice = self.cleaned_data.get("preset") or self.AUTOMATIC
        if choice == self.AUTOMATIC:
            return LATEST_PRESET
        return None if choice == self.NO_PRESET else self.presets[choice]


class ImportPresetForm(forms.Form):
    """Rename a county's preset: the name is unique among the county's presets of its kind."""

    name = forms.CharField(label=_("方案名称"), max_length=50)

    def __init__(self, *args, preset, **kwargs):
        super().__init__(*args, **kwargs)
        self.preset = preset
        self.fields["name"].initial = preset.name
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_name(self):
        name = self.cleaned_data["name"]
        taken = ImportPreset.objects.filter(
            county_id=self.preset.county_id, kind=self.preset.kind, name=name
        ).exclude(pk=self.preset.pk)
        if taken.exists():
            raise ValidationError(_("本县区已有同名的对应方案。"))
        return name


class ImportMappingForm(forms.Form):
    """The mapping step: for each required column the file lacks, one of the file's columns
    or a value for every row; for each value no choice matched, the portal's value it means;
    and the name the mapping is saved under for the county's next files."""

    name = forms.CharField(label=_("保存为对应方案"), max_length=50)

    def __init__(self, *args, run, kind, **kwargs):
        super().__init__(*args, **kwargs)
        found = run.file_columns or {}
        self.missing = found.get("missing", [])
        self.unmatched = found.get("unmatched", [])
        offered = [("", _("(不使用文件中的列)"))] + [
            (label, label) for label in found.get("unknown", [])
        ]
        for index, header in enumerate(self.missing):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=_("“%(header)s”取自文件中的列") % {"header": header},
                choices=offered, required=False,
            )
            self.fields[f"constant_{index}"] = forms.CharField(
                label=_("或整个文件都填写"), max_length=100, required=False,
            )
        for index, (header, value, rows) in enumerate(self.unmatched):
            column = kind.layout.column(header)
            allowed = column.allowed_values() if column is not None else []
            self.fields[f"value_{index}"] = forms.ChoiceField(
                label=_("“%(header)s”列的“%(value)s”(%(rows)s 行)表示")
                % {"header": header, "value": value, "rows": rows},
                choices=[("", "—")] + [(str(label), str(label)) for label in allowed],
                required=False,
            )
        self.fields["name"].initial = run.preset.name if run.preset else _("本县区登记册")
        self.order_fields([*(name for name in self.fields if name != "name"), "name"])
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned_data = super().clean()
        for index, header in enumerate(self.missing):
            if not (cleaned_data.get(f"column_{index}") or cleaned_data.get(f"constant_{index}")):
                self.add_error(
                    f"column_{index}",
                    _("请为“%(header)s”选择文件中的列,或填写整个文件通用的值。")
                    % {"header": header},
                )
        return cleaned_data

    def mapping(self):
        """(columns, constants, values) as an ImportPreset keeps them."""
        data = self.cleaned_data
        columns, constants, values = {}, {}, {}
        for index, header in enumerate(self.missing):
            if data.get(f"column_{index}"):
                columns[header] = data[f"column_{index}"]
            elif data.get(f"constant_{index}"):
                constants[header] = data[f"constant_{index}"]
        for index, (header, value, _rows) in enumerate(self.unmatched):
            if data.get(f"value_{index}"):
                values.setdefault(header, {})[value] = data[f"value_{index}"]
        return columns, constants, values

    @property
    def has_choices(self):
        return bool(self.missing or self.unmatched)
