"""Settings from the environment (NEEDLESAFE_*), read once through `get_settings()`.

Outside development a real secret key is required. In development, when none is given, one is
generated once and kept in `.needlesafe-secret` in the working directory, so that patient links
and sessions survive a restart of `make run`.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from needlesafe.knowledge.words import clinic_defaults
from needlesafe.store.db import DEFAULT_DATABASE_URL, normalise_url

PLACEHOLDER_SECRET = "change-me"
LOCAL_HOSTS = ("localhost", "::1", "0.0.0.0")
DEV_SECRET_FILE = ".needlesafe-secret"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEEDLESAFE_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    public_base_url: str = "http://127.0.0.1:8000"
    # NEEDLESAFE_PUBLIC_URL: the address patients' links and QR codes use (wins when set)
    public_url: str | None = None
    checkin_link_days: int = Field(default=30, ge=1, le=365)
    # a link to sign a consent on the patient's phone (or the clinic's tablet): hours it lasts
    consent_link_hours: int = Field(default=48, ge=1, le=24 * 30)
    # the treatment gate: how old (in days) a screening may be on the day of the treatment
    screening_max_age_days: int = Field(default=30, ge=1, le=365)
    login_token_hours: int = Field(default=12, ge=1, le=24 * 90)
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    cookie_secure: bool | None = None  # None: secure when the request came over https
    session_cookie: str = "needlesafe_session"
    login_path: str = "/login"  # where pages send a visitor who is not signed in
    # shown to patients of a clinic that has not set its own (default: words.yaml)
    emergency_number: str = Field(
        default_factory=lambda: clinic_defaults().emergency_number, min_length=1, max_length=20
    )
    # CDS Hooks: a JSON file listing the EHRs allowed to call /cds-services (issuer, clinic,
    # keys); with none, every hook call is refused (401)
    cds_clients: str | None = None
    # the follow-up loop (issue 15): mail and SMS transports (none: the outbox), the worker,
    # and the photos patients send (kept in `photo_dir`, outside the web root)
    smtp_url: SecretStr | None = None  # smtp://user:password@host:port, smtps://...
    mail_from: str = "needlesafe@localhost"
    sms_api_url: str | None = None  # a provider with the Messages API shape (messaging/sms.py)
    sms_account: str | None = None
    sms_token: SecretStr | None = None
    sms_from: str | None = None
    worker_in_process: bool = True  # `needlesafe serve` runs the job worker too
    worker_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    photo_dir: str = "needlesafe-photos"
    # a bucket instead of the folder (photostore.py): S3, or MinIO/Ceph at `photo_s3_endpoint`;
    # credentials from boto3's own chain (AWS_ACCESS_KEY_ID ...), never from these settings
    photo_s3_bucket: str = ""
    photo_s3_prefix: str = ""
    photo_s3_endpoint: str = ""
    photo_s3_region: str = ""
    photo_s3_sse: str = ""  # AES256 or aws:kms: encrypted at rest by the store
    # SMS replies (STOP/START) through the provider's inbound webhook: believed with the
    # provider's signature (keyed by sms_token) or this shared secret (other gateways)
    sms_webhook_secret: SecretStr | None = None
    photo_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    photo_max_pixels: int = Field(default=40_000_000, ge=10_000)
    # reliability (issue 16): whose X-Forwarded-For is believed (comma-separated addresses,
    # "*" for any, "" for none), the anonymous engine endpoints' limit per address per minute
    trusted_proxies: str = "127.0.0.1"
    anonymous_rate_limit: int = Field(default=120, ge=1)
    token_rate_limit: int = Field(default=1200, ge=1)  # per bearer token, per minute
    password_hash_concurrency: int = Field(default=2, ge=1, le=64)

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        secret = self.secret_key.get_secret_value()
        if self.environment != "development" and (secret == PLACEHOLDER_SECRET or len(secret) < 16):
            raise ValueError(
                "NEEDLESAFE_SECRET_KEY must be set to a long random value outside development "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
        self.database_url = normalise_url(self.database_url)
        if self.public_url:
            self.public_base_url = self.public_url.strip()
        return self

    def public_url_warning(self) -> str | None:
        """Why patients' phones cannot open the links, when the public address is this
        computer itself; None when it is a real address."""
        host = urlsplit(self.public_base_url).hostname or ""
        if host in LOCAL_HOSTS or host.startswith("127."):
            return (
                f"This link points at this computer ({host}), so a patient's phone cannot open "
                "it. Ask whoever runs needlesafe to set NEEDLESAFE_PUBLIC_URL to the clinic's "
                "public address."
            )
        return None

    @property
    def secret(self) -> str:
        return self.secret_key.get_secret_value()

    @property
    def checkin_link_max_age(self) -> dt.timedelta:
        return dt.timedelta(days=self.checkin_link_days)

    @property
    def consent_link_max_age(self) -> dt.timedelta:
        return dt.timedelta(hours=self.consent_link_hours)


def dev_secret(directory: Path) -> str:
    """The development secret kept in `directory`, created (mode 600) the first time."""
    path = directory / DEV_SECRET_FILE
    if path.exists():
        value = path.read_text(encoding="utf-8").strip()
        if len(value) >= 32:
            return value
    value = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value


def with_dev_secret(settings: Settings, directory: Path | None = None) -> Settings:
    if settings.environment == "development" and settings.secret == PLACEHOLDER_SECRET:
        secret = dev_secret(directory or Path.cwd())
        return settings.model_copy(update={"secret_key": SecretStr(secret)})
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return with_dev_secret(Settings())
