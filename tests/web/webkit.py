"""What the page tests share: the clinics' names and a browser-like test client."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi.testclient import TestClient

PASSWORD = "correct horse battery staple 42"
CLINICS = ("Riverside Skin Clinic", "Other Clinic")
PHONE = "020 7946 0100"  # both clinics' phone; their emergency number is 999


def email_of(clinic: str) -> str:
    return f"doc@{clinic.split()[0].lower()}.example"


@dataclass
class Browser:
    """A test client that keeps cookies and knows the page's CSRF token."""

    client: TestClient

    def csrf(self, path: str = "/login") -> str:
        page = self.client.get(path)
        found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        token = self.csrf("/login")
        response = self.client.post(
            "/login", data={"csrf_token": token, "email": email, "password": password}
        )
        assert response.status_code == 303, response.text

    def post(
        self, path: str, data: Mapping[str, object], *, csrf_from: str = "/patients", **kw: Any
    ) -> httpx.Response:
        # TestClient's methods are typed against httpx2, not installed here: Any to mypy
        response: httpx.Response = self.client.post(
            path, data={"csrf_token": self.csrf(csrf_from), **data}, **kw
        )
        return response
