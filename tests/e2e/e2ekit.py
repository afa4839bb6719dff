"""What the browser test shares with its fixtures: where things are, who signs in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
EMAIL = "practitioner@riverside.example"
PASSWORD = "correct horse battery staple 42"
EMERGENCY_NUMBER = "911"


@dataclass(frozen=True)
class LiveServer:
    url: str
    database_url: str = ""  # the server's database, to add records a test needs directly
    secret: str = ""  # its secret key (patient links made directly must be signed with it)
