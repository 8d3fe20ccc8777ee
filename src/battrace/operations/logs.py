"""JSON log lines: one object per line, for the server's own records and its request log.

A record's structured fields travel in `extra={"fields": {...}}`; they become top-level keys
of the line. Nothing here decides what is logged: callers pass only what may be kept (no
secrets, tokens, passwords, e-mail addresses or client addresses).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

FIELDS = "fields"


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", ...fields, "exception"?}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` (uvicorn's `log_config`) writing JSON lines to stdout.

    uvicorn's own access log is left out: the request log (`battrace.access`) replaces it.
    """
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"stdout": handler},
        "root": {"handlers": ["stdout"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level.upper(), "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level.upper(), "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
