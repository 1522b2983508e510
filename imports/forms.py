from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from imports.kinds import kind_choices
from imports.readers import FileProblem, sniff_format
from imports.uploads import max_upload_bytes


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入类型"), choices=kind_choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("Excel(.xlsx)或 CSV(UTF-8 或 GB18030 编码),第一行(或标题行之后)为表头。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, upload_too_large=False, **kwargs):
        super().__init__(*args, **kwargs)
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
