import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from inspections import services
from inspections.models import Draw, Inspection, Task
from luozhuang_dsj.jobs import run_job
from luozhuang_dsj.models import AuditEvent, Job
from tests.conftest import client_for
from tests.inspections.helpers import build_world, executed, prepared, special_task


@pytest.fixture
def world(office_user, staff, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world(office_user, staff, outsider)


@pytest.fixture
def task(world, staff):
    return special_task(world, staff)


def test_staff_see_the_frame_preview_before_committing(task, staff):
    page = (
        client_for(staff)
        .get(reverse("task-preview", args=[task.pk]), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "抽取范围（40 户）" in page
    assert "登记状态非存续 0 户" in page
    assert "<html" not in page


def test_staff_commit_a_draw_in_the_browser(task, staff):
    scheduled = (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(staff).post(reverse("draw-prepare", args=[task.pk]), {"scheduled_for": scheduled})
    draw = Draw.objects.get(task=task)
    assert response["Location"] == reverse("draw-detail", args=[draw.pk])
    assert timezone.localtime(draw.scheduled_for).strftime("%Y-%m-%dT%H:%M") == scheduled


def test_a_past_scheduled_time_is_refused_and_nothing_is_committed(task, staff):
    past = (timezone.localtime() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(staff).post(
        reverse("draw-prepare", args=[task.pk]), {"scheduled_for": past}, follow=True
    )
    assert "计划抽取时间不能早于现在。" in response.content.decode()
    assert not Draw.objects.exists()


def test_executing_in_the_browser_runs_the_job_and_a_second_click_changes_nothing(
    task, staff, django_capture_on_commit_callbacks
):
    draw = prepared(task, staff)
    client = client_for(staff)
    data = {"witness_source": Draw.WitnessSource.ON_SITE, "witness_input": "  3 7 1 9  "}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("draw-execute", args=[draw.pk]), data)
    job = Job.objects.get(kind="inspections.draw_execute")
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.result["draw"]) == ("succeeded", draw.pk)
    draw.refresh_from_db()
    assert (draw.status, draw.witness_input, draw.witness_source) == ("executed", "3 7 1 9", "现场见证人")
    count = Inspection.objects.filter(task=task).count()
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            reverse("draw-execute", args=[draw.pk]), {**data, "witness_input": "8 8 8"}, follow=True
        )
    assert "该抽取已经执行，抽取结果是最终的，不能重新抽取。" in again.content.decode()
    assert Job.objects.filter(kind="inspections.draw_execute").count() == 1
    assert Inspection.objects.filter(task=task).count() == count


def test_a_witness_input_with_a_bar_is_refused(task, staff):
    draw = prepared(task, staff)
    response = client_for(staff).post(
        reverse("draw-execute", args=[draw.pk]), {"witness_source": "其他", "witness_input": "1|2"}
    )
    assert "见证输入不能包含竖线“|”。" in response.content.decode()
    assert not Job.objects.exists()


def test_a_second_job_for_an_executed_draw_changes_nothing(task, staff, django_capture_on_commit_callbacks):
    """Two browsers both pressing execute, or a redelivered job: one draw, the first one."""
    draw = prepared(task, staff)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.draw_execute(actor=staff, draw=draw, witness_input="1 2", witness_source="其他")
    duplicate = Job.objects.create(
        kind="inspections.draw_execute",
        title="重复提交",
        created_by=staff,
        params={**first.params, "witness_input": "9 9"},
    )
    run_job(str(duplicate.pk))
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.result["draw"]) == ("succeeded", draw.pk)
    assert Draw.objects.get(pk=draw.pk).witness_input == "1 2"
    assert AuditEvent.objects.filter(action="draw.execute").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_executions_produce_exactly_one_draw(
    reference_data, office_user, staff, outsider, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(office_user, staff, outsider)
    draw = prepared(special_task(world, staff), staff)
    results, errors = [], []
    barrier = threading.Barrier(3)

    def attempt(witness: str) -> None:
        try:
            barrier.wait()
            results.append(executed(draw, staff, witness=witness).witness_input)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(f"{n} {n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1
    final = Draw.objects.get(pk=draw.pk)
    assert final.witness_input == results[0]
    assert Draw.objects.filter(task=draw.task, status="executed").count() == 1
    assert Inspection.objects.filter(task=draw.task).count() == len(final.selected)
    assert AuditEvent.objects.filter(action="draw.execute").count() == 1


def test_a_participating_department_reads_the_task_and_an_uninvolved_one_does_not(task, outsider, head):
    assert client_for(outsider).get(reverse("task-detail", args=[task.pk])).status_code == 200
    from tests.conftest import make_user

    stranger = make_user("wsjk1", "WSJK", "dept_staff")
    assert client_for(stranger).get(reverse("task-detail", args=[task.pk])).status_code == 404
    assert client_for(head).get(reverse("task-detail", args=[task.pk])).status_code == 200


def test_a_participant_cannot_change_the_rules(task, outsider):
    response = client_for(outsider).post(reverse("task-rules", args=[task.pk]), {})
    assert response.status_code == 403
    assert Task.objects.get(pk=task.pk).expert_count == 0


def test_the_rules_form_refuses_a_team_without_two_officers(world, staff):
    alone = special_task(world, staff, participants=[], title="单部门检查")
    data = {f"slot-{world.scjg.code}-inspector_count": 1, "expert_count": 2, "exclusion_months": 12}
    response = client_for(staff).post(reverse("task-rules", args=[alone.pk]), data)
    assert response.status_code == 200
    assert "两名" in response.content.decode()
    assert list(alone.departments.values_list("inspector_count", flat=True)) == [2]
    assert not AuditEvent.objects.filter(action="task.rules").exists()


def test_the_rules_are_saved_and_audited(task, staff, world):
    data = {
        f"slot-{world.scjg.code}-inspector_count": 2,
        f"slot-{world.jyj.code}-inspector_count": 2,
        "expert_count": 1,
        "exclusion_months": 6,
        "batch_size": 2,
    }
    assert client_for(staff).post(reverse("task-rules", args=[task.pk]), data).status_code == 302
    task.refresh_from_db()
    assert (task.expert_count, task.exclusion_months, task.batch_size) == (1, 6, 2)
    assert list(task.departments.values_list("inspector_count", flat=True)) == [2, 2]
    event = AuditEvent.objects.get(action="task.rules")
    assert (event.before["experts"], event.after["experts"]) == (0, 1)
    draw = executed(prepared(task, staff), staff)
    assert [slot["department"] for slot in draw.teams[0]["slots"]] == ["SCJG", "JYJ", None]
    assert [row["batch"] for row in draw.selected] == [1, 1, 2, 2, 3]
