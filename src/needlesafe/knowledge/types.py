"""The small value types every knowledge schema shares."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
PlainText = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
