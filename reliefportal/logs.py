"""Log formats: one JSON object per line in production, readable text for development."""

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

# Django attaches the request object (and the dev server its socket) to some records; printed,
# a request shows its query string, which may carry ID numbers, so neither is written out.
NOT_LOGGED = ("request", "server_time", "socket", "taskName")


class JsonFormatter(BaseJsonFormatter):
    """time, level, logger, message, then the request context of ``RequestContextFilter`` and
    whatever ``extra`` the caller passed (object ids, status)."""

    def __init__(self, **kwargs):
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            reserved_attrs=[*RESERVED_ATTRS, *NOT_LOGGED],
            json_ensure_ascii=False,
            **kwargs,
        )
