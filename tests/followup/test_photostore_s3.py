"""The S3-compatible photo store, against moto's S3 server (a real HTTP server speaking the
S3 protocol, on 127.0.0.1 in a thread): what is put comes back, a key cannot leave its
prefix, a missing photo is FileNotFoundError like the folder's, and the settings choose it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from needlesafe import photostore
from needlesafe.photostore import LocalPhotoStore, S3PhotoStore, open_store
from tests.followup.followkit import free_port

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

KEY = "clinic-7/" + "ab" * 16 + ".jpg"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ["AWS_ACCESS_KEY_ID"] = "testing"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def make_bucket(endpoint: str, name: str) -> Any:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=name)
    return client


def test_a_photo_put_in_the_bucket_comes_back_and_goes(s3_endpoint: str) -> None:
    client = make_bucket(s3_endpoint, "photos-a")
    store = S3PhotoStore(
        bucket="photos-a", prefix="needlesafe", endpoint_url=s3_endpoint, region="us-east-1"
    )
    store.put(KEY, b"\xff\xd8jpeg bytes")
    assert store.get(KEY) == b"\xff\xd8jpeg bytes"
    listed = client.list_objects_v2(Bucket="photos-a")["Contents"]
    assert [o["Key"] for o in listed] == ["needlesafe/" + KEY]
    head = client.head_object(Bucket="photos-a", Key="needlesafe/" + KEY)
    assert head["ContentType"] == "image/jpeg"
    store.delete(KEY)
    assert client.list_objects_v2(Bucket="photos-a").get("KeyCount") == 0
    store.delete(KEY)  # deleting what is gone is no error, like the folder's


def test_a_missing_photo_is_file_not_found_as_in_the_folder(
    s3_endpoint: str, tmp_path: Path
) -> None:
    make_bucket(s3_endpoint, "photos-b")
    for store in (
        S3PhotoStore(bucket="photos-b", endpoint_url=s3_endpoint, region="us-east-1"),
        LocalPhotoStore(tmp_path),
    ):
        with pytest.raises(FileNotFoundError):
            store.get(KEY)


def test_photos_are_encrypted_at_rest_when_asked(s3_endpoint: str) -> None:
    client = make_bucket(s3_endpoint, "photos-c")
    store = S3PhotoStore(
        bucket="photos-c", endpoint_url=s3_endpoint, region="us-east-1", sse="AES256"
    )
    store.put(KEY, b"x")
    assert client.head_object(Bucket="photos-c", Key=KEY)["ServerSideEncryption"] == "AES256"


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "clinic-1/../../x.jpg", "clinic-1/abc.jpg", "/clinic-1/" + "a" * 32]
)
def test_a_key_the_service_did_not_make_is_refused_before_any_request(key: str) -> None:
    class NoCalls:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"the store called S3 ({name}) for a bad key")

    store = S3PhotoStore(bucket="b", client=NoCalls())
    for call in (lambda: store.put(key, b"x"), lambda: store.get(key), lambda: store.delete(key)):
        with pytest.raises(ValueError, match="not a photo key"):
            call()


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"bucket": ""}, "NEEDLESAFE_PHOTO_S3_BUCKET"),
        ({"bucket": "b", "prefix": "../up"}, "NEEDLESAFE_PHOTO_S3_PREFIX"),
        ({"bucket": "b", "prefix": "/abs"}, "NEEDLESAFE_PHOTO_S3_PREFIX"),
        ({"bucket": "b", "sse": "rot13"}, "NEEDLESAFE_PHOTO_S3_SSE"),
    ],
)
def test_a_bad_setting_is_named(arguments: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        S3PhotoStore(client=object(), **arguments)


def test_the_folder_is_the_default_and_a_bucket_setting_chooses_s3(tmp_path: Path) -> None:
    photostore.open_store.cache_clear()
    assert isinstance(open_store(str(tmp_path)), LocalPhotoStore)
    chosen = open_store(str(tmp_path), s3_bucket="clinic-photos", s3_region="eu-west-2")
    assert isinstance(chosen, S3PhotoStore) and chosen.bucket == "clinic-photos"
    assert open_store(str(tmp_path), s3_bucket="clinic-photos", s3_region="eu-west-2") is chosen
