from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from imports.kinds import kind_choices
from imports.readers import FileProblem, sniff_format

# A county register of 100,000 rows is about 15 MB as .xlsx and 25 MB as CSV.
MAX_UPLOAD_BYTES = 100 * 1024 * 1024


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("upload", _("上传并检查")))

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("文件超过 100 MB,请分成几个文件导入。"))
        head = uploaded.read(8)
        uploaded.seek(0)
        try:
            sniff_format(uploaded.name, head)
        except FileProblem as problem:
            raise ValidationError(str(problem)) from None
        return uploaded
