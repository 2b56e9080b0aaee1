"""Cross-check our credentials with an independent verifier: the Digital Credentials Consortium's
``@digitalcredentials/verifier-core`` (Node), driven by ``dcc_verify.mjs``.

The issuer is a did:key whose DID is the issuer id, so the signature can be checked offline. The
verifier fetches ``statusListCredential`` URLs itself; a local HTTP server on 127.0.0.1 serves the
signed status lists.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from wrenchmark.vc import status_entry
from wrenchmark.vc.tests.factories import STATUS_INDEX, StatusLists, flip, signed_badge, with_leaf

SCRIPT = Path(__file__).with_name("dcc_verify.mjs")
VERIFIER = Path(__file__).parents[3] / "node_modules" / "@digitalcredentials" / "verifier-core"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None or not VERIFIER.is_dir(),
    reason="needs node and node_modules/@digitalcredentials/verifier-core (npm install in the repository root)",
)


def dcc_verify(credential: dict[str, Any]) -> dict[str, Any]:
    completed = subprocess.run(  # noqa: S603 - fixed script, credential on stdin
        [str(NODE), str(SCRIPT)],
        input=json.dumps(credential),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=SCRIPT.parent,
    )
    return json.loads(completed.stdout)


def steps(result: dict[str, Any]) -> dict[str, Any]:
    return {step["id"]: step.get("valid") for step in result.get("log", [])}


def test_dcc_accepts_our_signature_and_rejects_a_one_character_change() -> None:
    credential = signed_badge(status_entries=())

    accepted = dcc_verify(credential)
    assert "errors" not in accepted, accepted.get("errors")
    assert steps(accepted)["valid_signature"] is True
    assert steps(accepted)["expiration"] is True

    tampered = with_leaf(
        credential,
        ("credentialSubject", "achievement", "name"),
        flip(credential["credentialSubject"]["achievement"]["name"]),
    )
    rejected = dcc_verify(tampered)
    assert [error["name"] for error in rejected["errors"]] == ["invalid_signature"]
    assert "valid_signature" not in steps(rejected)


@pytest.fixture
def served_lists() -> Iterator[tuple[str, StatusLists]]:
    lists = StatusLists()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            document = lists.published.get(base + self.path)
            body = json.dumps(document).encode() if document else b"{}"
            self.send_response(200 if document else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, lists
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_dcc_reads_our_revocation_and_suspension_lists_over_http(
    served_lists: tuple[str, StatusLists],
) -> None:
    base, lists = served_lists
    revocation, suspension = f"{base}/status/revocation/1", f"{base}/status/suspension/1"
    credential = signed_badge(
        status_entries=[
            status_entry(revocation, STATUS_INDEX, "revocation"),
            status_entry(suspension, STATUS_INDEX, "suspension"),
        ]
    )
    lists.publish(revocation, "revocation")
    lists.publish(suspension, "suspension", (STATUS_INDEX + 1,))

    clear = steps(dcc_verify(credential))
    assert clear["valid_signature"] is True
    assert clear["revocation_status"] is True
    assert clear["suspension_status"] is True

    lists.publish(revocation, "revocation", (STATUS_INDEX,))
    revoked = steps(dcc_verify(credential))
    assert revoked["valid_signature"] is True
    assert revoked["revocation_status"] is False
    assert revoked["suspension_status"] is True
