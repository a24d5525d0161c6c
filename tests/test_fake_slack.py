"""The fake Slack behaves like Slack for slack_sdk's real WebClient/WebhookClient and slack_bolt.

Everything runs on 127.0.0.1 with ephemeral ports; servers are stopped in fixtures/finally.
"""

from __future__ import annotations

import json
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.error import HTTPError
from urllib.parse import parse_qsl

import httpx
import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.webhook import WebhookClient

from tests.fakes.slack_api import (
    BOT_USER_ID,
    UPLOAD,
    FakeSlack,
    app_mention_event,
    dm_event,
    event_body,
    interactivity_body,
    sign,
    signed_headers,
    slash_command_body,
)

SECRET = "test-signing-secret"
TOKEN = "xoxb-test"
TEXT_BLOCK = [{"type": "section", "text": {"type": "mrkdwn", "text": "*PyTorch* 90k stars"}}]


def png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG, made here so the test needs no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk honours *_PROXY variables even for loopback; the fake must be reached directly."""
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    try:
        yield server
    finally:
        server.stop()
    assert server.errors == []


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake.url, timeout=10)


# --------------------------------------------------------------------------------------------
# Web API basics
# --------------------------------------------------------------------------------------------


def test_serves_on_loopback_with_ephemeral_port(fake: FakeSlack) -> None:
    assert fake.url == f"http://127.0.0.1:{fake.port}/"
    assert fake.port != 0
    assert fake.response_url("cmd-1") == f"{fake.url}hooks/cmd-1"


def test_auth_test_and_token_redaction(fake: FakeSlack, client: WebClient) -> None:
    resp = client.auth_test()
    assert resp["ok"] is True
    assert (resp["user_id"], resp["bot_id"], resp["team_id"]) == (BOT_USER_ID, "BBOT", "T123")
    assert resp["url"].startswith("https://") and resp["team"] and resp["user"]
    [call] = fake.calls_to("auth.test")
    assert call.status == 200 and call.ok
    assert call.headers["authorization"].startswith("Bearer xoxb-")
    assert TOKEN not in call.headers["authorization"]
    assert TOKEN not in repr(fake.calls)


def test_api_prefix_also_works(fake: FakeSlack) -> None:
    assert WebClient(token=TOKEN, base_url=fake.api_url).auth_test()["user_id"] == BOT_USER_ID


def test_missing_or_wrong_token(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=fake.url).auth_test()
    assert err.value.response["error"] == "not_authed"
    with pytest.raises(SlackApiError) as err:
        WebClient(token="xoxp-user", base_url=fake.url).auth_test()
    assert err.value.response["error"] == "invalid_auth"

    with FakeSlack(token="xoxb-right") as strict:
        assert WebClient(token="xoxb-right", base_url=strict.url).auth_test()["ok"]
        with pytest.raises(SlackApiError) as err:
            WebClient(token="xoxb-wrong", base_url=strict.url).auth_test()
        assert err.value.response["error"] == "invalid_auth"


def test_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.api_call("users.info", params={"user": "U1"})
    assert err.value.response["error"] == "unknown_method"


def test_post_message_recorded_with_channel_and_blocks(fake: FakeSlack, client: WebClient) -> None:
    resp = client.chat_postMessage(channel="C123", text="PyTorch 90k", blocks=TEXT_BLOCK)
    assert resp["channel"] == "C123"
    assert resp["message"]["blocks"] == TEXT_BLOCK
    assert resp["message"]["bot_id"] == "BBOT"
    [call] = fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "C123"
    assert call.params["text"] == "PyTorch 90k"
    assert call.blocks == TEXT_BLOCK
    assert call.headers["content-type"].startswith("application/json")
    assert call.response["ts"] == resp["ts"]

    reply = client.chat_postMessage(channel="C123", text="more", thread_ts=resp["ts"])
    assert float(reply["ts"]) > float(resp["ts"])
    assert [m["thread_ts"] for m in fake.messages("C123")] == [None, resp["ts"]]


def test_form_encoded_blocks_are_decoded(fake: FakeSlack) -> None:
    r = httpx.post(
        fake.url + "chat.postMessage",
        data={"channel": "C1", "text": "t", "blocks": json.dumps(TEXT_BLOCK)},
        headers={"Authorization": f"Bearer {TOKEN}"},
        trust_env=False,
    )
    assert r.json()["ok"] is True
    assert fake.calls_to("chat.postMessage")[0].blocks == TEXT_BLOCK


def test_ephemeral_update_and_delete(fake: FakeSlack, client: WebClient) -> None:
    eph = client.chat_postEphemeral(channel="C123", user="U123", text="only you")
    assert eph["message_ts"]
    posted = client.chat_postMessage(channel="C123", text="Working…")
    updated = client.chat_update(channel="C123", ts=posted["ts"], text="Done", blocks=TEXT_BLOCK)
    assert (updated["ts"], updated["text"]) == (posted["ts"], "Done")
    assert fake.messages("C123")[1]["text"] == "Done"
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel="C123", ts="1.000000", text="x")
    assert err.value.response["error"] == "message_not_found"
    client.chat_delete(channel="C123", ts=posted["ts"])
    assert len(fake.messages("C123")) == 1


def test_block_kit_limits_are_enforced(client: WebClient) -> None:
    too_many = [{"type": "divider"}] * 51
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="t", blocks=too_many)
    assert err.value.response["error"] == "invalid_blocks"
    assert "[json-pointer:/blocks]" in err.value.response["errors"][0]

    long_section = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="t", blocks=long_section)
    assert err.value.response["errors"] == [
        "must be less than 3001 characters [json-pointer:/blocks/0/text]"
    ]

    no_source = [{"type": "image", "alt_text": "chart"}]
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="t", blocks=no_source)

    with pytest.raises(SlackApiError) as err:
        client.api_call("chat.postMessage", json={"channel": "C1"})  # no SDK warning this way
    assert err.value.response["error"] == "no_text"


def test_views_publish(client: WebClient) -> None:
    resp = client.views_publish(user_id="U123", view={"type": "home", "blocks": TEXT_BLOCK})
    assert resp["view"]["id"].startswith("V")
    assert resp["view"]["blocks"] == TEXT_BLOCK


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def test_files_upload_v2_completes_and_stores_bytes(fake: FakeSlack, client: WebClient) -> None:
    data = png(8, 5)
    resp = client.files_upload_v2(
        channel="C123", content=data, filename="chart.png", title="Stars", alt_txt="Line chart"
    )
    file_id = resp["file"]["id"]
    assert file_id.startswith("F")
    assert resp["file"]["title"] == "Stars"
    assert fake.uploaded(file_id) == data
    assert fake.methods() == [
        "files.getUploadURLExternal",
        UPLOAD,
        "files.completeUploadExternal",
    ]
    get_url, upload, complete = fake.calls
    assert get_url.params["filename"] == "chart.png"
    assert int(get_url.params["length"]) == len(data)
    assert upload.path == f"/upload/{file_id}"
    assert "authorization" not in upload.headers
    assert complete.params["channel_id"] == "C123"
    assert complete.json_param("files") == [{"id": file_id, "title": "Stars"}]
    [share] = fake.shares
    assert (share.file_id, share.channel, share.thread_ts) == (file_id, "C123", None)

    info = client.files_info(file=file_id)["file"]
    assert info["mimetype"] == "image/png"
    assert info["filetype"] == "png"
    assert (info["original_w"], info["original_h"]) == (8, 5)
    assert list(info["shares"]["public"]) == ["C123"]
    assert info["channels"] == ["C123"]


def test_upload_in_thread_and_without_channel(fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C123", text="Weekly digest")
    client.files_upload_v2(channel="C123", thread_ts=parent["ts"], content=png(), filename="a.png")
    private = client.files_upload_v2(content=b"x,y\n1,2\n", filename="data.csv")
    assert [s.thread_ts for s in fake.shares] == [parent["ts"]]
    info = client.files_info(file=private["file"]["id"])["file"]
    assert info["shares"] == {} and info["mimetype"] == "text/csv"


def test_file_processing_is_reported_by_files_info(fake: FakeSlack, client: WebClient) -> None:
    fake.set_file_processing(2)
    file_id = client.files_upload_v2(channel="C123", content=png(), filename="c.png")["file"]["id"]
    image = [{"type": "image", "alt_text": "chart", "slack_file": {"id": file_id}}]

    with pytest.raises(SlackApiError) as err:  # the classic race: referencing it right away
        client.chat_postMessage(channel="C123", text="chart", blocks=image)
    assert err.value.response["errors"] == [
        "invalid slack file [json-pointer:/blocks/0/slack_file]"
    ]

    seen = [client.files_info(file=file_id)["file"] for _ in range(3)]
    assert [f["mimetype"] for f in seen] == ["", "", "image/png"]
    assert [bool(f["shares"]) for f in seen] == [False, False, True]
    assert fake.file(file_id).ready
    assert client.chat_postMessage(channel="C123", text="chart", blocks=image)["ok"]


def test_files_info_unknown_file(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.files_info(file="F0NOPE00000")
    assert err.value.response["error"] == "file_not_found"


def test_completion_rejects_repr_blocks_and_markdown(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:  # slack_sdk sends a list as its Python repr
        client.files_upload_v2(channel="C123", content=png(), filename="c.png", blocks=TEXT_BLOCK)
    assert err.value.response["error"] == "invalid_blocks_format"
    markdown = json.dumps([{"type": "markdown", "text": "**hi**"}])
    with pytest.raises(SlackApiError) as err:
        client.files_upload_v2(channel="C123", content=png(), filename="c.png", blocks=markdown)
    assert err.value.response["error"] == "internal_error"
    ok = client.files_upload_v2(
        channel="C123", content=png(), filename="c.png", blocks=json.dumps(TEXT_BLOCK)
    )
    assert ok["ok"]


def test_multipart_upload_is_accepted(fake: FakeSlack, client: WebClient) -> None:
    data = png()
    target = client.files_getUploadURLExternal(filename="m.png", length=len(data))
    r = httpx.post(
        target["upload_url"], files={"file": ("m.png", data, "image/png")}, trust_env=False
    )
    assert r.status_code == 200
    assert fake.uploaded(target["file_id"]) == data


def test_upload_url_failure_surfaces_in_files_upload_v2(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("upload", error="upload failed")
    with pytest.raises(HTTPError) as err:  # slack_sdk's urlopen raises on the non-200 upload
        client.files_upload_v2(channel="C123", content=png(), filename="c.png")
    assert err.value.code == 500
    err.value.close()
    assert "files.completeUploadExternal" not in fake.methods()


# --------------------------------------------------------------------------------------------
# Channels
# --------------------------------------------------------------------------------------------


def test_not_in_channel_then_join_then_success(fake: FakeSlack, client: WebClient) -> None:
    fake.not_in_channel("C777")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C777", text="hi")
    assert err.value.response["error"] == "not_in_channel"
    with pytest.raises(SlackApiError) as err:
        client.files_upload_v2(channel="C777", content=png(), filename="c.png")
    assert err.value.response["error"] == "not_in_channel"
    assert client.conversations_info(channel="C777")["channel"]["is_member"] is False

    joined = client.conversations_join(channel="C777")
    assert joined["channel"]["id"] == "C777" and joined["channel"]["is_member"] is True
    assert client.chat_postMessage(channel="C777", text="hi")["ok"]
    assert client.files_upload_v2(channel="C777", content=png(), filename="c.png")["ok"]
    again = client.conversations_join(channel="C777")
    assert again["warning"] == "already_in_channel"


def test_private_channel_cannot_be_joined(fake: FakeSlack, client: WebClient) -> None:
    fake.private_channel("G42")
    with pytest.raises(SlackApiError) as err:
        client.conversations_join(channel="G42")
    assert err.value.response["error"] == "method_not_supported_for_channel_type"
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="G42", text="hi")
    assert err.value.response["error"] == "channel_not_found"

    fake.private_channel("G43", member=True)
    assert client.chat_postMessage(channel="G43", text="hi")["ok"]
    assert client.conversations_info(channel="G43")["channel"]["is_private"] is True


def test_missing_channel(fake: FakeSlack, client: WebClient) -> None:
    fake.missing_channel("C404")
    for call in (
        lambda: client.chat_postMessage(channel="C404", text="x"),
        lambda: client.conversations_info(channel="C404"),
        lambda: client.conversations_join(channel="C404"),
    ):
        with pytest.raises(SlackApiError) as err:
            call()
        assert err.value.response["error"] == "channel_not_found"


# --------------------------------------------------------------------------------------------
# Faults
# --------------------------------------------------------------------------------------------


def test_rate_limit_is_retried_by_rate_limit_handler(fake: FakeSlack) -> None:
    retrying = WebClient(
        token=TOKEN,
        base_url=fake.url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.rate_limit_next("chat.postMessage", retry_after=0)
    assert retrying.chat_postMessage(channel="C123", text="hi")["ok"]
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]
    assert len(fake.messages()) == 1


def test_rate_limit_without_handler_raises_429(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limit_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C123", text="hi")
    assert err.value.response.status_code == 429
    assert err.value.response["error"] == "ratelimited"
    headers = {k.lower(): v for k, v in err.value.response.headers.items()}
    assert headers["retry-after"] in ("7", ["7"])
    assert client.chat_postMessage(channel="C123", text="hi")["ok"]  # one-shot


def test_fail_next_queues_errors(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", times=2, error="invalid_blocks")
    fake.rate_limit_next("chat.postMessage", retry_after=0)
    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            client.chat_postMessage(channel="C123", text="hi")
        assert err.value.response["error"] == "invalid_blocks"
        assert err.value.response.status_code == 200
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C123", text="hi")
    assert err.value.response.status_code == 429
    assert client.chat_postMessage(channel="C123", text="hi")["ok"]
    assert client.auth_test()["ok"]  # other methods are unaffected


def test_delay_and_wait_for(fake: FakeSlack, client: WebClient) -> None:
    fake.delay("auth.test", 0.3)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.3
    fake.delay("auth.test", 0)

    later = threading.Timer(0.1, lambda: client.chat_postMessage(channel="C1", text="late"))
    later.start()
    try:
        [call] = fake.wait_for("chat.postMessage", timeout=5)
    finally:
        later.join()
    assert call.params["text"] == "late"
    with pytest.raises(AssertionError, match=r"chat\.update.*auth\.test"):
        fake.wait_for("chat.update", timeout=0.1)


def test_reset_forgets_everything(fake: FakeSlack, client: WebClient) -> None:
    fake.not_in_channel("C9")
    fake.fail_next("auth.test")
    client.chat_postMessage(channel="C1", text="x")
    fake.reset()
    assert fake.calls == [] and fake.messages() == []
    assert client.auth_test()["ok"]
    assert client.chat_postMessage(channel="C9", text="x")["ok"]


def test_stop_cuts_a_pending_delay_short() -> None:
    fake = FakeSlack().start()
    fake.delay("*", 30)
    client = WebClient(token=TOKEN, base_url=fake.url, timeout=10)
    worker = threading.Thread(target=lambda: _swallow(client.auth_test))
    worker.start()
    time.sleep(0.2)
    started = time.monotonic()
    fake.stop()
    worker.join(timeout=10)
    assert time.monotonic() - started < 5
    assert not worker.is_alive()


def _swallow(fn: Any) -> None:
    try:
        fn()
    except Exception:
        pass


# --------------------------------------------------------------------------------------------
# response_url hooks
# --------------------------------------------------------------------------------------------


def test_hooks_receive_json(fake: FakeSlack) -> None:
    hook = WebhookClient(fake.response_url("commands/T1/1/abc"))
    resp = hook.send(text="PyTorch leads", response_type="ephemeral", blocks=TEXT_BLOCK)
    assert (resp.status_code, resp.body) == (200, "ok")
    [payload] = fake.wait_for_hook("commands/T1/1/abc")
    assert payload == {"text": "PyTorch leads", "response_type": "ephemeral", "blocks": TEXT_BLOCK}
    [call] = fake.calls_to("hook")
    assert call.path == "/hooks/commands/T1/1/abc"

    assert hook.send_dict({"response_type": "in_channel"}).status_code == 400  # no_text
    fake.fail_next("hook", error="expired_url", status=404)
    assert hook.send(text="late").status_code == 404
    assert len(fake.hooks("commands/T1/1/abc")) == 1
    with pytest.raises(AssertionError):
        fake.wait_for_hook("other", timeout=0.1)


def test_image_urls_are_fetched_when_asked() -> None:
    image = png()

    class Images(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            ok = self.path == "/charts/ok.png"
            self.send_response(200 if ok else 404)
            self.send_header("Content-Type", "image/png" if ok else "text/plain")
            body = image if ok else b"missing"
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    images = ThreadingHTTPServer(("127.0.0.1", 0), Images)
    serving = threading.Thread(target=images.serve_forever, daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{images.server_address[1]}/charts/"
    try:
        with FakeSlack(fetch_image_urls=True) as fake:
            client = WebClient(token=TOKEN, base_url=fake.url)
            good = [{"type": "image", "alt_text": "c", "image_url": base + "ok.png"}]
            assert client.chat_postMessage(channel="C1", text="t", blocks=good)["ok"]
            bad = [{"type": "image", "alt_text": "c", "image_url": base + "gone.png"}]
            with pytest.raises(SlackApiError) as err:
                client.chat_postMessage(channel="C1", text="t", blocks=bad)
            assert "downloading image failed" in err.value.response["errors"][0]
            hook = WebhookClient(fake.response_url("h"))
            assert hook.send(text="t", blocks=bad).status_code == 400
    finally:
        images.shutdown()
        images.server_close()
        serving.join()


# --------------------------------------------------------------------------------------------
# Signing and payload builders
# --------------------------------------------------------------------------------------------


class FixedClock(Clock):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def test_sign_verifies_with_slack_sdk() -> None:
    body = slash_command_body("pytorch stars", response_url="http://127.0.0.1:1/hooks/x")
    headers = sign(body, SECRET)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert verifier.is_valid_request(body, signed_headers(body, SECRET))
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    stale = sign(body, SECRET, timestamp=int(time.time()) - 301)
    assert not verifier.is_valid_request(body, stale)


def test_sign_matches_slacks_published_vector() -> None:
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
        b"&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
        b"&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
        b"%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    headers = sign(body, "8f742231b10e8888abcd99yyyzzz85a5", timestamp=1531420618)
    assert headers["X-Slack-Signature"] == (
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )
    verifier = SignatureVerifier("8f742231b10e8888abcd99yyyzzz85a5", clock=FixedClock(1531420618))
    assert verifier.is_valid_request(body, headers)


def test_signed_headers_carry_event_retry_headers() -> None:
    headers = signed_headers(b"{}", SECRET, content_type="application/json", retry_num=1)
    assert headers["Content-Type"] == "application/json"
    assert (headers["X-Slack-Retry-Num"], headers["X-Slack-Retry-Reason"]) == ("1", "http_timeout")


def test_slash_command_body_is_shaped_like_slacks() -> None:
    body = slash_command_body(
        "compare pytorch jax stars", response_url="http://127.0.0.1:9/hooks/c", user_id="U9"
    )
    fields = parse_qsl(body.decode(), keep_blank_values=True)
    assert [k for k, _ in fields] == [
        "token", "team_id", "team_domain", "channel_id", "channel_name", "user_id", "user_name",
        "command", "text", "api_app_id", "is_enterprise_install", "response_url", "trigger_id",
    ]  # fmt: skip
    values = dict(fields)
    assert values["command"] == "/fwtrend" and values["text"] == "compare pytorch jax stars"
    assert values["user_id"] == "U9" and values["channel_id"] == "C123"
    assert b"command=%2Ffwtrend" in body and b"text=compare+pytorch" in body


def test_event_and_interactivity_bodies() -> None:
    envelope = json.loads(event_body(app_mention_event("pytorch stars"), event_id="Ev1"))
    assert envelope["type"] == "event_callback" and envelope["event_id"] == "Ev1"
    assert envelope["authorizations"][0]["user_id"] == BOT_USER_ID
    assert envelope["event"]["text"] == f"<@{BOT_USER_ID}> pytorch stars"
    assert envelope["event"]["ts"] == envelope["event"]["event_ts"]
    dm = dm_event("help", user="U5")
    assert (dm["channel"], dm["channel_type"], dm["user"]) == ("D123", "im", "U5")

    body = interactivity_body("fw_more", "pytorch", response_url="http://127.0.0.1:9/hooks/i")
    [(key, raw)] = parse_qsl(body.decode())
    payload = json.loads(raw)
    assert key == "payload" and payload["type"] == "block_actions"
    assert payload["actions"][0]["action_id"] == "fw_more"
    assert payload["actions"][0]["type"] == "button"
    assert payload["container"]["channel_id"] == "C123"
    assert payload["response_url"] == "http://127.0.0.1:9/hooks/i"


# --------------------------------------------------------------------------------------------
# The builders drive a real slack_bolt App wired to the fake
# --------------------------------------------------------------------------------------------


def _dispatch(app: App, body: bytes, content_type: str, **sign_args: Any) -> Any:
    headers = signed_headers(body, sign_args.pop("secret", SECRET), content_type=content_type)
    return app.dispatch(
        BoltRequest(body=body.decode(), headers={k.lower(): [v] for k, v in headers.items()})
    )


def test_builders_drive_a_bolt_app(fake: FakeSlack) -> None:
    app = App(client=WebClient(token=TOKEN, base_url=fake.url), signing_secret=SECRET)

    @app.command("/fwtrend")
    def command(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        ack(text="Working…")
        respond(text=f"result for {command['text']}", response_type="in_channel")

    @app.event("app_mention")
    def mention(event: dict[str, Any], say: Any) -> None:
        say(text="hello", thread_ts=event["ts"])

    @app.event("message")
    def dm(event: dict[str, Any], say: Any) -> None:
        if event.get("channel_type") == "im":
            say(text="dm reply")

    @app.action("fw_more")
    def more(ack: Any, respond: Any, action: dict[str, Any]) -> None:
        ack()
        respond(text=f"more on {action['value']}", replace_original=False)

    assert fake.calls_to("auth.test")  # App() verified the token against the fake

    form = "application/x-www-form-urlencoded"
    body = slash_command_body("pytorch stars", response_url=fake.response_url("cmd"))
    resp = _dispatch(app, body, form)
    assert (resp.status, resp.body) == (200, "Working…")
    [payload] = fake.wait_for_hook("cmd")
    assert payload["text"] == "result for pytorch stars"
    assert payload["response_type"] == "in_channel"

    assert _dispatch(app, body, form, secret="wrong").status == 401

    mention_event = app_mention_event("stars?", channel="C555", ts="1700000000.000100")
    assert (
        _dispatch(app, event_body(mention_event, event_id="Ev1"), "application/json").status == 200
    )
    [post] = fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "C555"
    assert post.params["thread_ts"] == "1700000000.000100"

    assert (
        _dispatch(app, event_body(dm_event("help"), event_id="Ev2"), "application/json").status
        == 200
    )
    posts = fake.wait_for("chat.postMessage", count=2)
    assert posts[1].params["channel"] == "D123"

    click = interactivity_body("fw_more", "jax", response_url=fake.response_url("act"))
    assert _dispatch(app, click, form).status == 200
    [clicked] = fake.wait_for_hook("act")
    assert clicked["text"] == "more on jax"
