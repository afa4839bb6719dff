"""The server's logging: one format for ours and uvicorn's, and no traceback in any line.

A traceback of a database error carries the statement and, unless the engine hides them, its
values: a patient's words, name and phone. `hide_parameters` is on for every engine
(store/db.py), and on top of that every record that carries an exception is reduced here to an
error id and the exception's type, whichever logger wrote it (uvicorn's "Exception in ASGI
application", a worker's crash, a library's warning).
"""

from __future__ import annotations

import logging
import secrets
import sys
from typing import Any

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class NoClinicalContent(logging.Filter):
    """Replace a record's exception (message and traceback) with an id and the type."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            said = record.getMessage()
            record.msg = "error %s: %s (%s)"
            record.args = (secrets.token_hex(6), type(error).__name__, said)
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]  # generic only in stubs
    """Writes to whatever `sys.stderr` is at the time of each record, not the one at set-up
    (a command run inside a test runner must not leave a handler on a closed stream)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass  # always the current sys.stderr


def log_config(level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` for the server (and `uvicorn.run(log_config=...)`)."""
    handler = {
        "()": f"{__name__}.StderrHandler",
        "formatter": "plain",
        "filters": ["no_clinical_content"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"no_clinical_content": {"()": f"{__name__}.NoClinicalContent"}},
        "formatters": {"plain": {"format": FORMAT}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            # uvicorn's loggers go to the root handler above, through the same filter
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": True},
        },
    }
