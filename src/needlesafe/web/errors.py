"""The pages' error page, handed to the app's error handlers (`api/errors.py`) by the
composition root (`needlesafe.app`)."""

from __future__ import annotations

from needlesafe.web.render import environment


def render_error_page(status: int, title: str, messages: list[str]) -> str:
    """A plain page: the status, a title and the messages (no header links, no form)."""
    return (
        environment()
        .get_template("error.html")
        .render(status=status, title=title, messages=messages, csrf_token="", actor=None)
    )
