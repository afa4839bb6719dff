"""Where check-in photos are kept: a small interface, a local folder by default, and an
S3-compatible bucket for deployments.

The folder is the `NEEDLESAFE_PHOTO_DIR` setting (default `needlesafe-photos` in the working
directory), never under the web root: nothing serves it directly; staff get a photo through an
authorised route that checks their clinic. Keys are made by the service
(`clinic-<id>/<random>.jpg`); anything else is refused, so a key can never leave the folder
(or its prefix in a bucket).

`NEEDLESAFE_PHOTO_S3_BUCKET` set: photos go to that bucket instead (AWS S3, or any
S3-compatible store such as MinIO or Ceph with `NEEDLESAFE_PHOTO_S3_ENDPOINT`), under
`NEEDLESAFE_PHOTO_S3_PREFIX`, through boto3 (`pip install needlesafe[s3]`). Credentials come
from boto3's usual chain (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`, a profile, an
instance role), never from needlesafe's settings; `NEEDLESAFE_PHOTO_S3_SSE` asks the store to
encrypt each photo at rest (`AES256` or `aws:kms`). The bucket should be private: needlesafe
never hands out its URLs, it reads each photo itself for an authorised request.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any, Protocol

KEY = re.compile(r"^clinic-[0-9]{1,10}/[0-9a-f]{32}\.jpg$")
PREFIX = re.compile(r"^(?:[A-Za-z0-9._-]+/)*$")  # "" or "a/", "a/b/": no "..", no leading "/"
TIMEOUT_SECONDS = 20


class PhotoStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes:
        """The photo's bytes; FileNotFoundError when there is none under `key`."""
        ...

    def delete(self, key: str) -> None: ...


def _checked(key: str) -> str:
    if not KEY.match(key):
        raise ValueError("not a photo key")
    return key


class LocalPhotoStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def put(self, key: str, data: bytes) -> None:
        """Written to a temporary name, synced, then renamed: a photo is whole or absent."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3PhotoStore:
    """Photos in an S3-compatible bucket. A PUT is atomic on S3 (an object is whole or
    absent), so no temporary name is needed. `client` is a boto3 S3 client (made from the
    other arguments when None)."""

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        sse: str | None = None,
        client: Any = None,
    ) -> None:
        if not bucket:
            raise ValueError("NEEDLESAFE_PHOTO_S3_BUCKET: name the bucket")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        if not PREFIX.match(prefix) or ".." in prefix:
            raise ValueError(
                "NEEDLESAFE_PHOTO_S3_PREFIX: letters, digits, '.', '_', '-' and '/' only"
            )
        if sse not in (None, "", "AES256", "aws:kms"):
            raise ValueError("NEEDLESAFE_PHOTO_S3_SSE must be AES256 or aws:kms (or empty)")
        self.bucket, self.prefix, self.sse = bucket, prefix, sse or None
        self.endpoint_url = endpoint_url or None
        if client is None:
            try:
                import boto3
                from botocore.config import Config
            except ImportError:
                raise RuntimeError(
                    "photos in S3 need boto3: pip install 'needlesafe[s3]'"
                ) from None
            client = boto3.client(
                "s3",
                endpoint_url=self.endpoint_url,
                region_name=region or None,
                config=Config(
                    connect_timeout=TIMEOUT_SECONDS,
                    read_timeout=TIMEOUT_SECONDS,
                    retries={"max_attempts": 3, "mode": "standard"},
                ),
            )
        self.client = client

    def __repr__(self) -> str:  # no credentials live here to leak, but say where it points
        return f"S3PhotoStore(bucket={self.bucket!r}, prefix={self.prefix!r})"

    def _key(self, key: str) -> str:
        return self.prefix + _checked(key)

    def put(self, key: str, data: bytes) -> None:
        name = self._key(key)
        extra = {"ServerSideEncryption": self.sse} if self.sse else {}
        self.client.put_object(
            Bucket=self.bucket,
            Key=name,
            Body=data,
            ContentType="image/jpeg",
            CacheControl="private, no-store",
            **extra,
        )

    def get(self, key: str) -> bytes:
        name = self._key(key)
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=name)
        except Exception as error:  # botocore's ClientError; some stores say 404, not NoSuchKey
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise FileNotFoundError(key) from None
            raise
        body = answer["Body"]
        try:
            data: bytes = body.read()
        finally:
            body.close()
        return data

    def delete(self, key: str) -> None:
        # S3 answers a DELETE of a missing object with success, like unlink(missing_ok=True)
        name = self._key(key)
        self.client.delete_object(Bucket=self.bucket, Key=name)


@functools.lru_cache(maxsize=8)
def open_store(
    photo_dir: str,
    *,
    s3_bucket: str = "",
    s3_prefix: str = "",
    s3_endpoint: str = "",
    s3_region: str = "",
    s3_sse: str = "",
) -> PhotoStore:
    """The store the settings name: the bucket when one is set, else the folder. Made once
    per configuration (a boto3 client is thread-safe and costs tens of milliseconds)."""
    if s3_bucket:
        return S3PhotoStore(
            bucket=s3_bucket,
            prefix=s3_prefix,
            endpoint_url=s3_endpoint or None,
            region=s3_region or None,
            sse=s3_sse or None,
        )
    return LocalPhotoStore(photo_dir)
