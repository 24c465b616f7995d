"""A process sending the exchange's outbox is killed with SIGKILL after the provincial
platform received a message and before the sender recorded the delivery: the item is not
lost (still queued, leased), is sent again when the lease ends with the same message id,
and the receiver, deduping by that id, keeps one copy."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from exchange import services
from exchange.models import ExchangeItem
from tests.faults.helpers import ROOT, child_env, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class HoldingReceiver(BaseHTTPRequestHandler):
    """Records every POST, keeps one copy per message id, and answers only once released."""

    posts: list[str] = []
    kept: dict[str, dict] = {}
    release = threading.Event()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        HoldingReceiver.posts.append(body["message_id"])
        HoldingReceiver.kept.setdefault(body["message_id"], body)
        HoldingReceiver.release.wait(60)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_sender_killed_mid_send_resends_the_same_message_once_its_lease_ends(settings):
    HoldingReceiver.posts, HoldingReceiver.kept = [], {}
    HoldingReceiver.release.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), HoldingReceiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/receive"
    payload = {"schema": "plan/1", "plan_key": "2031-SCJG-department", "revision": 1}
    item = ExchangeItem.objects.create(
        kind="plan",
        key="2031-SCJG-department",
        digest="a" * 64,
        payload=payload,
        next_attempt_at=timezone.now(),
    )
    environ = child_env(
        EXCHANGE_TRANSPORT="http", EXCHANGE_URL=url, EXCHANGE_TOKEN="token", EXCHANGE_LEASE_SECONDS="300"
    )
    sender = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from exchange.services import exchange_deliver; exchange_deliver()",
        ],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: HoldingReceiver.posts, timeout=60, what="the sender to post the message")
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait(timeout=30)
        HoldingReceiver.release.set()

        item.refresh_from_db()
        assert (item.status, item.attempts, item.sent_at) == ("queued", 1, None)  # not lost
        lease_end = item.next_attempt_at
        assert lease_end > timezone.now()

        settings.EXCHANGE_TRANSPORT, settings.EXCHANGE_URL, settings.EXCHANGE_TOKEN = "http", url, "token"
        assert services.exchange_deliver().sent == 0  # leased: nobody sends it meanwhile
        assert services.exchange_deliver(now=lease_end).sent == 1
    finally:
        HoldingReceiver.release.set()
        if sender.poll() is None:
            sender.kill()
        server.shutdown()
    item.refresh_from_db()
    assert (item.status, item.attempts) == ("sent", 2)
    assert HoldingReceiver.posts == [str(item.message_id)] * 2
    assert list(HoldingReceiver.kept) == [str(item.message_id)]
    assert HoldingReceiver.kept[str(item.message_id)]["payload"] == payload
