"""The upload size limit, applied while the request body streams in: a file past
``IMPORT_MAX_UPLOAD_MB`` is dropped at that point, never written whole to a temporary file."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


def max_upload_bytes():
    return settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024


class SizeLimitedUploadHandler(FileUploadHandler):
    """First of the upload handlers: passes each chunk on to the next handler until the file
    passes the limit, then skips the file and marks the request (``upload_too_large``), so the
    form can say why the file is missing."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_upload_bytes():
            self.request.upload_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None
