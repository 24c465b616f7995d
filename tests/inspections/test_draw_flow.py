import datetime
import hashlib
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inspections import selectors, services
from inspections.draw import ProtocolError, verifier
from inspections.draw.frame import build_frame_from_lines
from inspections.models import Draw, Inspection, InspectionAssignment, Task, Visit
from luozhuang_dsj.models import AuditEvent
from registry.models import Inspector, Target
from tests.conftest import client_for
from tests.inspections.helpers import (
    build_world,
    declare_conflict,
    executed,
    make_inspector,
    prepared,
    special_task,
)


@pytest.fixture
def world(office_user, staff, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world(office_user, staff, outsider)


@pytest.fixture
def task(world, staff):
    return special_task(world, staff)


def test_the_preview_counts_strata_samples_and_exclusions(world, task):
    Target.objects.filter(pk=world.targets[0].pk).update(status=Target.Status.DEREGISTERED)
    preview = selectors.frame_preview(task, today=timezone.localdate())
    frame = dict(
        Target.objects.filter(status="存续")
        .values("risk_class")
        .annotate(n=Count("pk"))
        .values_list("risk_class", "n")
    )
    assert {stratum.name: stratum.size for stratum in preview.strata} == frame
    assert {stratum.name: stratum.sample_size for stratum in preview.strata} == {
        name: -(-count // 10) for name, count in frame.items()
    }
    assert preview.excluded == {"登记状态非存续": 1, "排除期内已就本任务事项接受检查": 0}
    assert (preview.in_scope, preview.frame_size) == (40, 39)


def test_the_frame_lists_keys_in_code_point_order_whatever_the_database_collation(world, task):
    keys = ["项目-甲", "a-site-1", "项目-乙", "Z-site-2", "0-site"]
    extra = Target.objects.bulk_create([Target(code=key, name=f"对象{key}", risk_class="A") for key in keys])
    world.registry.targets.add(*extra)
    frame = dict(build_frame_from_lines(selectors.frame_lines(task, today=timezone.localdate())).strata)
    assert [key for key in frame["A"] if key in keys] == [
        "0-site",
        "Z-site-2",
        "a-site-1",
        "项目-乙",
        "项目-甲",
    ]
    assert list(frame["A"]) == sorted(frame["A"])
    assert sum(len(stratum) for stratum in frame.values()) == 45
    placed = {key: name for name, stratum in frame.items() for key in stratum}
    assert placed == dict(Target.objects.values_list("code", "risk_class"))


def test_the_frame_vouches_for_unique_keys_because_a_target_code_is_unique():
    # draw_prepare builds the frame with keys_unique=True: one line per target, by code.
    assert Target._meta.get_field("code").unique


def test_frame_keys_come_out_exactly_as_stored_even_where_copy_would_escape_them(world, task):
    # COPY writes a backslash as two, a TAB as "\\t": the frame must hold the stored key.
    slash = Target.objects.create(code="XM\\2027\\01", name="项目甲", risk_class="B")
    world.registry.targets.add(slash)
    frame = build_frame_from_lines(selectors.frame_lines(task, today=timezone.localdate()))
    assert "XM\\2027\\01" in frame.keys_by_stratum()["B"]
    world.registry.targets.add(Target.objects.create(code="XM\t02", name="项目乙", risk_class="B"))
    with pytest.raises(ProtocolError, match="B 层的检查对象标识“XM\\\\t02”含有不允许的字符"):
        build_frame_from_lines(selectors.frame_lines(task, today=timezone.localdate()))


def test_prepare_freezes_the_frame_and_pool_and_publishes_only_the_commitment(world, task, staff):
    draw = prepared(task, staff, minutes=60)
    task.refresh_from_db()
    assert task.status == Task.Status.PREPARED
    with draw.frame_file.open("rb") as handle:
        frame = handle.read()
    lines = frame.decode().splitlines()
    assert len(lines) == 40 == draw.frame_size
    assert lines == sorted(lines)
    assert draw.frame_digest == hashlib.sha256(frame).hexdigest()
    assert draw.commitment == verifier.commitment_of(draw.server_secret)
    page = Client().get(reverse("public-draw", args=[draw.pk])).content.decode()
    assert draw.commitment in page
    assert draw.frame_digest in page
    assert draw.server_secret not in page
    record = json.loads(Client().get(reverse("public-draw-record", args=[draw.pk])).content)
    assert "server_secret" not in record and "seed" not in record
    assert record["commitment"] == draw.commitment
    event = AuditEvent.objects.get(action="draw.prepare")
    assert event.after["commitment"] == draw.commitment
    assert draw.server_secret not in json.dumps(event.after)


def test_a_task_has_at_most_one_live_draw(world, task, staff):
    prepared(task, staff)
    with pytest.raises(ValidationError, match="已有公示中的或已执行的抽取"):
        prepared(Task.objects.get(pk=task.pk), staff)
    assert Draw.objects.filter(task=task).count() == 1


def test_an_infeasible_task_is_refused_at_prepare_naming_the_department_and_rule(world, task, staff):
    Inspector.objects.filter(department=world.jyj).update(certificate_valid_until=datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError) as caught:
        prepared(task, staff)
    message = caught.value.messages[0]
    assert "区教育局" in message
    assert "持有效执法证" in message
    assert not Draw.objects.exists()
    task.refresh_from_db()
    assert task.status == Task.Status.DRAFT


def test_execute_is_refused_before_the_scheduled_time(world, task, staff):
    draw = prepared(task, staff, minutes=30)
    with pytest.raises(ValidationError, match="未到计划抽取时间"):
        services.draw_execute(actor=staff, draw=draw, witness_input="123", witness_source="其他")


def verify(record, frame_bytes, pool_bytes=None) -> str:
    try:
        list(verifier.verify_record(record, frame_bytes, pool_bytes))
    except verifier.ProtocolError as error:
        return f"FAIL: {error.message}"
    return "OK"


def frozen_files(draw):
    with draw.frame_file.open("rb") as frame, draw.pool_file.open("rb") as pool:
        return frame.read(), pool.read()


@pytest.mark.parametrize("batch_size", [1000, 2])  # teams stored in one batch, or in three
def test_the_draw_creates_inspections_and_teams_and_the_record_verifies(
    world, task, staff, monkeypatch, batch_size
):
    monkeypatch.setattr(services._TeamFeed, "BATCH_SIZE", batch_size)
    declare_conflict("SCJG-01", world.targets[5], staff)
    draw = executed(prepared(task, staff), staff)
    assert draw.status == Draw.Status.EXECUTED
    selected = [row["target"] for row in draw.selected]
    assert len(selected) == sum(stratum["sample_size"] for stratum in draw.strata) == 5
    inspections = list(Inspection.objects.filter(task=task).order_by("position"))
    assert [inspection.target.code for inspection in inspections] == selected
    for inspection, team in zip(inspections, draw.teams, strict=True):
        rows = list(inspection.assignments.order_by("slot", "id"))
        assert [row.inspector.code for row in rows] == [
            code for slot in team["slots"] for code in slot["inspectors"]
        ]
        assert [row.department.code for row in rows] == ["SCJG", "SCJG", "JYJ"]
        assert inspection.visit.target_id == inspection.target_id
    assert not InspectionAssignment.objects.filter(
        inspection__target=world.targets[5], inspector__code="SCJG-01"
    ).exists()
    frame_bytes, pool_bytes = frozen_files(draw)
    assert verify(selectors.draw_record(draw), frame_bytes, pool_bytes) == "OK"
    assert verify(selectors.draw_public_record(draw), frame_bytes) == "OK"
    task.refresh_from_db()
    assert task.status == Task.Status.DRAWN
    event = AuditEvent.objects.get(action="draw.execute")
    assert event.after["seed"] == draw.seed


def test_the_public_record_names_departments_not_inspectors(world, task, staff):
    draw = executed(prepared(task, staff), staff)
    body = Client().get(reverse("public-draw-record", args=[draw.pk])).content.decode()
    record = json.loads(body)
    assert record["server_secret"] == draw.server_secret
    assert record["teams"][0]["slots"][0] == {
        "department": "SCJG",
        "department_name": "区市场监管局",
        "count": 2,
        "rotation_relaxed": False,
    }
    for inspector in Inspector.objects.all():
        assert inspector.code not in body
        assert inspector.name not in body
    page = Client().get(reverse("public-draw", args=[draw.pk])).content.decode()
    assert not any(inspector.name in page for inspector in Inspector.objects.all())


def test_the_full_record_and_pool_are_for_the_office_and_the_auditor_only(
    world, task, staff, office_user, auditor, outsider
):
    draw = executed(prepared(task, staff), staff)
    full = json.loads(client_for(office_user).get(reverse("draw-full-record", args=[draw.pk])).content)
    assert full["teams"][0]["slots"][0]["inspectors"] == draw.teams[0]["slots"][0]["inspectors"]
    assert client_for(auditor).get(reverse("audit-draw-pool", args=[draw.pk])).status_code == 200
    for user in (staff, outsider):
        assert client_for(user).get(reverse("draw-full-record", args=[draw.pk])).status_code == 403
        assert client_for(user).get(reverse("draw-pool", args=[draw.pk])).status_code == 403


def test_executing_twice_gives_the_same_one_draw(world, task, staff):
    draw = prepared(task, staff)
    first = executed(draw, staff, witness="11 22 33")
    again = executed(draw, staff, witness="99 88 77")
    assert again.pk == first.pk
    assert again.witness_input == "11 22 33"
    assert Inspection.objects.filter(task=task).count() == len(first.selected)
    assert AuditEvent.objects.filter(action="draw.execute").count() == 1


def test_the_same_inputs_give_the_same_draw(world, staff, office_user, outsider):
    """A retried job recomputes exactly what the first attempt would have stored."""
    from inspections import draw as protocol

    task = special_task(world, staff)
    draw = prepared(task, staff)
    frame_bytes, pool_bytes = frozen_files(draw)
    runs = [
        protocol.execute_draw(
            frame=protocol.parse_frame(frame_bytes),
            sizes=selectors.draw_strata(draw),
            pool=protocol.parse_pool(pool_bytes),
            slots=[protocol.Slot.from_json(slot) for slot in draw.task_snapshot["slots"]],
            server_secret=draw.server_secret,
            witness_input="5 6 7",
            batch_size=draw.batch_size,
            executed_at=timezone.now(),
        )
        for _ in range(2)
    ]
    assert runs[0].selected == runs[1].selected
    assert runs[0].teams == runs[1].teams


def test_the_database_refuses_a_second_executed_draw(world, task, staff):
    draw = executed(prepared(task, staff), staff)
    duplicate = Draw.objects.get(pk=draw.pk)
    duplicate.pk = None
    duplicate.commitment = "f" * 64
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert Draw.objects.filter(task=task).count() == 1


def test_a_cancelled_draw_stays_public_with_its_reason_and_the_task_can_be_prepared_again(world, task, staff):
    draw = prepared(task, staff, minutes=60)
    with pytest.raises(ValidationError, match="必须写明理由"):
        services.draw_cancel(actor=staff, draw=draw, reason="  ")
    services.draw_cancel(actor=staff, draw=draw, reason="见证人未能到场，改期抽取。")
    task.refresh_from_db()
    assert task.status == Task.Status.DRAFT
    page = Client().get(reverse("public-draws")).content.decode()
    assert "见证人未能到场，改期抽取。" in page
    assert draw.commitment in Client().get(reverse("public-draw", args=[draw.pk])).content.decode()
    second = prepared(task, staff)
    assert second.commitment != draw.commitment
    assert Draw.objects.filter(task=task).count() == 2


def test_an_executed_draw_cannot_be_cancelled(world, task, staff):
    draw = executed(prepared(task, staff), staff)
    with pytest.raises(ValidationError, match="已执行的抽取结果是最终的"):
        services.draw_cancel(actor=staff, draw=draw, reason="想重抽")
    draw.refresh_from_db()
    assert draw.status == Draw.Status.EXECUTED


def test_another_department_cannot_prepare_or_execute(world, task, staff, outsider):
    with pytest.raises(PermissionDenied):
        services.draw_prepare(actor=outsider, task=task, scheduled_for=timezone.now())
    draw = prepared(task, staff)
    with pytest.raises(PermissionDenied):
        services.draw_execute(actor=outsider, draw=draw, witness_input="1", witness_source="其他")
    assert (
        client_for(outsider)
        .post(reverse("draw-execute", args=[draw.pk]), {"witness_source": "其他", "witness_input": "1"})
        .status_code
        == 403
    )
    draw.refresh_from_db()
    assert draw.status == Draw.Status.PREPARED


def test_recently_inspected_targets_are_left_out_of_the_next_frame(world, task, staff):
    draw = executed(prepared(task, staff), staff)
    chosen = {row["target"] for row in draw.selected}
    again = special_task(world, staff, title="下半年复查")
    preview = selectors.frame_preview(again, today=timezone.localdate())
    assert preview.excluded["排除期内已就本任务事项接受检查"] == len(chosen)
    frame = build_frame_from_lines(selectors.frame_lines(again, today=timezone.localdate()))
    keys = {key for _, stratum_keys in frame.strata for key in stratum_keys}
    assert keys.isdisjoint(chosen)
    assert len(keys) == 40 - len(chosen)


def test_the_exclusion_window_ends(world, task, staff):
    executed(prepared(task, staff), staff)
    Inspection.objects.update(created_at=timezone.now() - datetime.timedelta(days=400))
    again = special_task(world, staff, title="次年复查")
    assert (
        selectors.frame_preview(again, today=timezone.localdate()).excluded["排除期内已就本任务事项接受检查"]
        == 0
    )


def test_an_adjustment_replaces_one_inspector_and_the_record_still_verifies(world, task, staff, office_user):
    make_inspector("SCJG-05", world.scjg)
    draw = executed(prepared(task, staff), staff)
    target = draw.teams[0]["target"]
    out = draw.teams[0]["slots"][0]["inspectors"][0]
    row = services.draw_adjust(
        actor=staff, draw=draw, target_key=target, inspector_out=out, reason="因病住院"
    )
    inspection = Inspection.objects.get(task=task, target__code=target)
    serving = set(inspection.assignments.filter(is_active=True).values_list("inspector__code", flat=True))
    assert out not in serving and row.inspector_in in serving
    draw.refresh_from_db()
    assert draw.teams[0]["slots"][0]["inspectors"][0] == out  # the drawn team is never rewritten
    record = selectors.draw_record(draw)
    assert [(a["out"], a["in"], a["reason"]) for a in record["adjustments"]] == [
        (out, row.inspector_in, "因病住院")
    ]
    frame_bytes, pool_bytes = frozen_files(draw)
    assert verify(record, frame_bytes, pool_bytes) == "OK"
    with pytest.raises(PermissionDenied, match="联席会议办公室"):
        services.draw_adjust(
            actor=staff,
            draw=draw,
            target_key=target,
            inspector_out=row.inspector_in,
            reason="x",
            substitute="SCJG-05",
        )


def test_joint_visits_put_both_tasks_inspections_of_a_target_in_one_visit(world, staff, outsider):
    every = {f"ratio_{risk}": Decimal("100") for risk in "abcd"}
    food = special_task(world, staff, title="食品经营者全覆盖检查", participants=[], **every)
    executed(prepared(food, staff), staff)
    schools = special_task(
        world,
        outsider,
        title="民办学校专项检查",
        initiator=world.jyj,
        initiator_matters=[world.schools],
        participants=[],
    )
    services.task_join_visits(actor=outsider, task=schools, other=food)
    draw = executed(prepared(schools, outsider), outsider)
    assert len(draw.selected) == 5
    for row in draw.selected:
        inspections = Inspection.objects.filter(target__code=row["target"])
        assert set(inspections.values_list("task__code", flat=True)) == {food.code, schools.code}
        assert len(set(inspections.values_list("visit_id", flat=True))) == 1
    alone = Inspection.objects.filter(task=food).exclude(
        target__code__in=[row["target"] for row in draw.selected]
    )
    assert alone.count() == 35
    assert all(inspection.visit.inspections.count() == 1 for inspection in alone)


def test_the_replacement_inspector_is_told_of_the_assignment(world, task, staff):
    from notices.models import Notification
    from tests.conftest import make_user

    make_inspector("SCJG-05", world.scjg)
    accounts = {}
    for inspector in Inspector.objects.filter(department=world.scjg, code__startswith="SCJG-"):
        inspector.user = accounts[inspector.code] = make_user(
            f"acct-{inspector.code.lower()}", "SCJG", "inspector"
        )
        inspector.save(update_fields=["user"])
    draw = executed(prepared(task, staff), staff)
    Notification.objects.all().delete()
    team = draw.teams[0]
    row = services.draw_adjust(
        actor=staff,
        draw=draw,
        target_key=team["target"],
        inspector_out=team["slots"][0]["inspectors"][0],
        reason="出差",
    )
    notified = Notification.objects.filter(kind="inspection.assigned")
    assert list(notified.values_list("recipient__username", flat=True)) == [
        accounts[row.inspector_in].username
    ]


def test_a_team_that_cannot_be_filled_at_execution_stores_nothing(world, task, staff, monkeypatch):
    """The teams are matched in a thread, a batch at a time, while the inspections and the
    earlier batches' members are written: a refusal there rolls the whole transaction back."""
    from inspections import draw as protocol

    draw = prepared(task, staff)
    match_teams_in_batches = protocol.match_teams_in_batches

    def run_dry(**kwargs):
        yield next(match_teams_in_batches(**kwargs))  # one batch matched and stored
        raise protocol.InfeasibleError(
            target=kwargs["targets"][-1],
            department="SCJG",
            label="区市场监管局",
            rule="conflict",
            needed=2,
            available=1,
        )

    monkeypatch.setattr(protocol, "match_teams_in_batches", run_dry)
    with pytest.raises(ValidationError, match="抽取未执行") as caught:
        executed(draw, staff)
    assert "区市场监管局" in caught.value.messages[0]
    draw.refresh_from_db()
    task.refresh_from_db()
    assert (draw.status, draw.seed, task.status) == (Draw.Status.PREPARED, "", Task.Status.PREPARED)
    assert not Inspection.objects.filter(task=task).exists()
    assert not InspectionAssignment.objects.exists()
    assert not Visit.objects.filter(inspections__isnull=True).exists()
    assert not AuditEvent.objects.filter(action="draw.execute").exists()
    monkeypatch.undo()
    assert executed(draw, staff).status == Draw.Status.EXECUTED
