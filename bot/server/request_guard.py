"""Checks a request to the Slack endpoint before Bolt sees it: size, signature, then shape."""

from __future__ import annotations

import io
import json
import re
import time
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from slack_sdk.signature import SignatureVerifier

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

MAX_BODY = 1024 * 1024  # bytes; Slack's payloads are a few kilobytes
MAX_AGE = 300  # seconds; Slack's own rule against replayed requests
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_SIGNATURE = re.compile(r"^v0=[0-9a-f]{64}$")
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
# What a slash command must carry for fwtrend to answer it.
COMMAND_FIELDS = ("command", "user_id", "response_url")


class Refusal(Exception):
    """Why a request is refused: the HTTP status and a short reason for the log."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class SlackRequestGuard:
    """Reads the body within the limit and verifies it with slack_sdk's SignatureVerifier."""

    def __init__(self, signing_secret: str, *, max_body: int = MAX_BODY) -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self._max_body = max_body

    def admit(self, environ: WSGIEnvironment) -> None:
        """Raise Refusal, or leave ``environ`` with the checked body ready for Bolt to read."""
        body = self._read(environ)
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        if not timestamp or not signature:
            raise Refusal(401, "unsigned (no Slack signature or timestamp)")
        if not _TIMESTAMP.match(timestamp):
            raise Refusal(401, "malformed Slack timestamp")
        if abs(time.time() - int(timestamp)) > MAX_AGE:
            raise Refusal(401, "stale Slack timestamp")
        if not _SIGNATURE.match(signature):
            raise Refusal(401, "malformed Slack signature")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refusal(400, "body is not UTF-8") from None
        if not self._verifier.is_valid(body=text, timestamp=timestamp, signature=signature):
            raise Refusal(401, "invalid Slack signature")
        check_shape(text, environ.get("CONTENT_TYPE", ""))
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))

    def _read(self, environ: WSGIEnvironment) -> bytes:
        declared = environ.get("CONTENT_LENGTH") or ""
        stream = environ["wsgi.input"]
        if declared:
            if not declared.isascii() or not declared.isdigit():
                raise Refusal(400, "malformed Content-Length")
            length = int(declared)
            if length > self._max_body:  # refused before reading a byte of it
                raise Refusal(413, f"body over {self._max_body} bytes")
            return bytes(stream.read(length))
        body = bytes(stream.read(self._max_body + 1))  # chunked: read no more than the limit
        if len(body) > self._max_body:
            raise Refusal(413, f"body over {self._max_body} bytes")
        return body


def check_shape(text: str, content_type: str) -> None:
    """Refuse (400) a verified body Bolt could not parse or fwtrend could not answer."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == JSON_TYPE:
        _json_object(text, "JSON body")
        return
    if kind != FORM_TYPE:
        raise Refusal(415, "not a Slack content type")
    try:
        fields = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text)))
    except ValueError:
        raise Refusal(400, "malformed form body") from None
    if "payload" in fields:  # interactivity: a button click
        _json_object(fields["payload"], "payload")
    elif "ssl_check" in fields:
        return
    elif not all(fields.get(name) for name in COMMAND_FIELDS):
        raise Refusal(400, "form body without the fields of a slash command")


def _json_object(text: str, what: str) -> None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # deep nesting is a RecursionError, not a ValueError
        raise Refusal(400, f"{what} is not JSON") from None
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise Refusal(400, f"{what} is not a Slack request object")
