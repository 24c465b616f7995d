"""The outbox: idempotent collection, delivery with retries and backoff, no loss and no
duplicate when a worker dies mid-send (the receiver dedupes by message id)."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from exchange import services, transport
from exchange.models import ExchangeItem, ExchangeRun
from luozhuang_dsj.models import AuditEvent
from plans import services as plan_services
from tests.exchange.conftest import later
from tests.plans.helpers import member_of

# ---- collecting --------------------------------------------------------------------------------------


def test_a_second_run_queues_nothing_new(district):
    first = services.exchange_run(trigger=ExchangeRun.Trigger.SCHEDULE)
    assert (first.queued, first.sent, first.failed, first.collected_since) == (4, 4, 0, None)
    second = services.exchange_run(trigger=ExchangeRun.Trigger.SCHEDULE)
    assert (second.queued, second.sent, second.failed) == (0, 0, 0)
    assert second.collected_since == first.started_at - services.COLLECT_OVERLAP
    assert services.exchange_collect(since=None) == 0  # even collecting everything again
    assert ExchangeItem.objects.count() == 4
    event = AuditEvent.objects.filter(action="exchange.run").latest("pk")
    assert (event.username, event.after["queued"], event.after["sent"]) == ("exchange-scheduler", 0, 0)


def test_a_changed_plan_queues_a_new_version_with_its_own_message_id(district):
    services.exchange_run(trigger=ExchangeRun.Trigger.SCHEDULE)
    plan = district.plan
    plan_services.plan_publish(actor=member_of(plan.department, "dept_head"), plan=plan)
    run = services.exchange_run(trigger=ExchangeRun.Trigger.SCHEDULE)
    assert (run.queued, run.sent) == (1, 1)
    versions = list(ExchangeItem.objects.filter(kind="plan").order_by("pk"))
    assert [item.version for item in versions] == ["第1版（已备案）", "第1版（已公开）"]
    assert versions[0].message_id != versions[1].message_id
    assert versions[1].payload["published_at"] is not None
    assert services.exchange_collect(since=None) == 0


# ---- delivery ----------------------------------------------------------------------------------------


def _outbox_files(folders):
    return sorted(path.name for path in (folders / "outbox").glob("*.json"))


def test_the_directory_transport_writes_one_complete_file_per_message(district, folders):
    services.exchange_collect(since=None)
    assert services.exchange_deliver().sent == 4
    items = list(ExchangeItem.objects.order_by("pk"))
    assert _outbox_files(folders) == sorted(f"{item.kind}-{item.message_id}.json" for item in items)
    assert not list((folders / "outbox").glob(".sending-*"))
    plan = next(item for item in items if item.kind == "plan")
    envelope = json.loads((folders / "outbox" / f"plan-{plan.message_id}.json").read_text("utf-8"))
    assert envelope == {
        "format": "lz-dsj-exchange/1",
        "message_id": str(plan.message_id),
        "sequence": plan.pk,
        "kind": "plan",
        "key": "2027-SCJG-department",
        "digest": plan.digest,
        "created_at": envelope["created_at"],
        "sender": {"code": "371311", "name": "临沂市罗庄区"},
        "payload": plan.payload,
    }
    assert all(item.status == "sent" and item.attempts == 1 and item.sent_at for item in items)


def test_a_transport_failure_keeps_the_item_queued_and_it_is_sent_later(district, folders, settings):
    services.exchange_collect(since=None)
    blocker = folders / "blocked"
    blocker.write_text("not a folder")
    settings.EXCHANGE_OUTBOX_DIR = blocker
    now = timezone.now()
    assert services.exchange_deliver(now=now).failed == 4
    item = ExchangeItem.objects.get(kind="plan")
    assert (item.status, item.attempts) == ("queued", 1)
    assert item.last_error.startswith(f"无法写入发送目录 {blocker}")
    assert item.next_attempt_at == now + datetime.timedelta(seconds=60)

    assert services.exchange_deliver(now=now + datetime.timedelta(seconds=59)).failed == 0  # not due yet
    services.exchange_deliver(now=now + datetime.timedelta(seconds=60))
    item.refresh_from_db()
    assert (item.attempts, item.next_attempt_at) == (
        2,
        now + datetime.timedelta(seconds=180),
    )  # 60 s, then 120 s

    settings.EXCHANGE_OUTBOX_DIR = folders / "outbox"
    assert services.exchange_deliver(now=now + datetime.timedelta(seconds=180)).sent == 4
    item.refresh_from_db()
    assert (item.status, item.attempts, item.last_error) == ("sent", 3, "")
    assert len(_outbox_files(folders)) == 4


def test_after_the_last_attempt_the_item_is_failed_until_the_office_retries_it(
    district, folders, settings, office_user
):
    services.exchange_collect(since=None)
    settings.EXCHANGE_OUTBOX_DIR = folders / "blocked"
    (folders / "blocked").write_text("")
    moment = timezone.now()
    for _ in range(3):
        services.exchange_deliver(now=moment)
        moment = ExchangeItem.objects.get(kind="plan").next_attempt_at
    item = ExchangeItem.objects.get(kind="plan")
    assert (item.status, item.attempts) == ("failed", 3)
    assert services.exchange_deliver(now=later(86400)).failed == 0  # no more automatic attempts

    services.exchange_item_retry(actor=office_user, item=item)
    item.refresh_from_db()
    assert (item.status, item.attempts) == ("queued", 0)
    event = AuditEvent.objects.get(action="exchange.retry")
    assert (event.username, event.before["status"], event.after["status"]) == ("office1", "failed", "queued")
    settings.EXCHANGE_OUTBOX_DIR = folders / "outbox"
    services.exchange_deliver()
    item.refresh_from_db()
    assert item.status == "sent"


def test_versions_of_one_object_go_out_in_order(district, folders, settings):
    services.exchange_collect(since=None)
    plan = district.plan
    plan_services.plan_publish(actor=member_of(plan.department, "dept_head"), plan=plan)
    services.exchange_collect(since=None)
    older, newer = ExchangeItem.objects.filter(kind="plan").order_by("pk")
    ExchangeItem.objects.filter(pk=older.pk).update(next_attempt_at=later(3600))  # waiting for a retry
    services.exchange_deliver()
    newer.refresh_from_db()
    assert newer.status == "queued"  # held back behind the older version
    services.exchange_deliver(now=later(3601))
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.status, newer.status) == ("sent", "sent")
    assert older.sent_at <= newer.sent_at


# ---- a worker killed mid-send -------------------------------------------------------------------------


class Killed(BaseException):
    """What a killed worker looks like to the code after the send: nothing more runs."""


def test_a_worker_killed_after_the_send_resends_the_same_message_and_nothing_is_lost(
    district, folders, monkeypatch
):
    services.exchange_collect(since=None)
    real_send = transport.send
    delivered = []

    def send_then_die(envelope):
        real_send(envelope)
        delivered.append(envelope["message_id"])
        raise Killed

    monkeypatch.setattr(transport, "send", send_then_die)
    now = timezone.now()
    with pytest.raises(Killed):
        services.exchange_deliver(now=now)
    first = ExchangeItem.objects.get(message_id=delivered[0])
    assert (first.status, first.attempts, first.sent_at) == ("queued", 1, None)  # not lost
    assert first.next_attempt_at == now + datetime.timedelta(seconds=300)  # leased

    monkeypatch.setattr(transport, "send", real_send)
    within_lease = services.exchange_deliver(now=now + datetime.timedelta(seconds=299))
    assert within_lease.sent == 3  # the others; the leased one waits
    assert services.exchange_deliver(now=now + datetime.timedelta(seconds=300)).sent == 1
    first.refresh_from_db()
    assert (first.status, first.attempts) == ("sent", 2)
    # Sent twice with one message id: the file has one name, the receiver keeps one copy.
    assert _outbox_files(folders).count(f"{first.kind}-{first.message_id}.json") == 1
    assert len(_outbox_files(folders)) == ExchangeItem.objects.count() == 4


# ---- the HTTP transport --------------------------------------------------------------------------------


class Receiver(BaseHTTPRequestHandler):
    """The provincial platform's side: refuses the first N posts, keeps one copy per message id."""

    refuse = 0
    received: dict = {}
    posts: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Receiver.posts.append(
            (self.headers["Authorization"], self.headers["Idempotency-Key"], body["message_id"])
        )
        if Receiver.refuse:
            Receiver.refuse -= 1
            self.send_response(503)
            self.end_headers()
            self.wfile.write("系统维护中".encode())
            return
        Receiver.received.setdefault(body["message_id"], body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver(settings):
    Receiver.refuse, Receiver.received, Receiver.posts = 0, {}, []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EXCHANGE_TRANSPORT = "http"
    settings.EXCHANGE_URL = f"http://127.0.0.1:{server.server_port}/dsj/receive"
    settings.EXCHANGE_TOKEN = "secret-token"
    yield Receiver
    server.shutdown()


def test_http_delivery_retries_a_refusal_and_the_receiver_dedupes_a_resend(district, receiver):
    services.exchange_collect(since=None)
    receiver.refuse = 1
    now = timezone.now()
    report = services.exchange_deliver(now=now)
    assert (report.sent, report.failed) == (3, 1)
    failed = ExchangeItem.objects.get(status="queued")
    assert failed.last_error == "省工作平台拒收（HTTP 503）：系统维护中"
    assert services.exchange_deliver(now=now + datetime.timedelta(seconds=60)).sent == 1
    assert {post[0] for post in receiver.posts} == {"Bearer secret-token"}
    assert all(key == message for _, key, message in receiver.posts)
    # A resend (a worker died before recording the delivery) is recognised by its message id.
    item = ExchangeItem.objects.get(kind="plan")
    transport.send(services.envelope(item))
    assert len(receiver.posts) == 6
    assert sorted(receiver.received) == sorted(str(i.message_id) for i in ExchangeItem.objects.all())


def test_the_command_runs_one_exchange(district):
    out = StringIO()
    call_command("exchange_run", stdout=out)
    assert (
        out.getvalue().strip()
        == "新增待发送 4 条，发送成功 4 条，发送失败 0 条；接收导入 0 个文件，拒收 0 个。"
    )
    assert ExchangeRun.objects.get().trigger == "schedule"
