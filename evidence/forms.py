from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from evidence.files import check_upload
from evidence.services import check_record_total

# What the file picker offers; the content decides what is accepted (evidence.files).
ACCEPTED_FILES = "image/jpeg,image/png,image/heic,image/heif,.heic,.pdf,.xlsx,.docx"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Several files in one input. Each is checked by content (``check_upload``); cleaning
    returns the safe copies to store, or one error naming every file refused."""

    def __init__(self, *, photos_only=False, **kwargs):
        attrs = {"accept": "image/*", "capture": "environment"} if photos_only else {
            "accept": ACCEPTED_FILES
        }
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        super().__init__(**kwargs)
        self.keep_location = False

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        checked, errors = [], []
        for upload in uploads:
            try:
                super().clean(upload, initial)
                checked.append(check_upload(upload, keep_location=self.keep_location))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked


class AttachmentUploadForm(forms.Form):
    """Files added to an existing record from its page."""

    files = EvidenceFilesField(label=_("添加佐证材料"))

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        self.fields["files"].keep_location = record.county.keeps_photo_locations

    def clean_files(self):
        checked = self.cleaned_data["files"]
        check_record_total(self.record, checked)
        return checked
