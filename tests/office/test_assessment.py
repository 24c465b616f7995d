"""Assessment scores for the hand-built year of tests/office/helpers.py, worked out by hand.

区市场监管局 (SCJG), as of 1 March 2026, default weights 15/20/20/20/10/15:
- plan: submitted 20 January, by the deadline: 1/1 → 100.00
- tasks: T1 closed, T2 past its end and open, T3 not due (not counted): 1/2 → 50.00
- entry: I1 on time, I2 late (5 July > 30 June), I3 at 23:00 on its last day (on time),
  I4 still a draft: 2/4 → 50.00
- publication: P1 on time, P2 two days late, P3 not due: 1/2 → 50.00
- joint: I1, I2 (a joint task), I4 (visit merged with JYJ's I5) joint, I3 not: 3/4 → 75.00
- follow-up: F1 closed in time, F2 open past its deadline; F3 (no deadline) and F4
  (returned) not counted: 1/2 → 50.00
- total (15·100 + 20·50 + 20·50 + 20·50 + 10·75 + 15·50) / 100 = 60.00

区教育局 (JYJ):
- plan: submitted 5 February: 0/1 → 0.00
- tasks: T1 and T5 closed (T4, a case check, is not a random task): 2/2 → 100.00
- entry: T1·I1 on time, T1·I2 never entered, T4·I6 late (2 June > 31 May), T5·I5 on time: 2/4 → 50.00
- publication: P4 pending past its deadline: 0/1 → 0.00
- joint: I1, I2, I5: 3/3 → 100.00
- follow-up: none → not applicable; its weight is spread over the others
- total (15·0 + 20·100 + 20·50 + 20·0 + 10·100) / 85 = 4000 / 85 = 47.06
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from luozhuang_dsj.models import AuditEvent
from office.assessment import assess, metric_rows
from office.models import AssessmentWeights
from office.services import weights_save
from registry.models import Department
from tests.office.helpers import AS_OF, YEAR, build_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(office_user, staff, head, inspector_user, outsider):  # type: ignore[no-untyped-def]
    return build_case(office_user, staff, head, inspector_user, outsider)


def _scores(department):  # type: ignore[no-untyped-def]
    result = assess(YEAR, as_of=AS_OF, department=department)[0]
    return (
        {key: (value.numerator, value.denominator, value.rate) for key, value in result.metrics.items()},
        result.total,
    )


def test_scores_of_the_hand_built_case_are_exact(case):  # type: ignore[no-untyped-def]
    metrics, total = _scores(case.scjg)
    assert metrics == {
        "plan": (1, 1, Decimal("100.00")),
        "tasks": (1, 2, Decimal("50.00")),
        "entry": (2, 4, Decimal("50.00")),
        "publication": (1, 2, Decimal("50.00")),
        "joint": (3, 4, Decimal("75.00")),
        "follow_up": (1, 2, Decimal("50.00")),
    }
    assert total == Decimal("60.00")

    metrics, total = _scores(case.jyj)
    assert metrics == {
        "plan": (0, 1, Decimal("0.00")),
        "tasks": (2, 2, Decimal("100.00")),
        "entry": (2, 4, Decimal("50.00")),
        "publication": (0, 1, Decimal("0.00")),
        "joint": (3, 3, Decimal("100.00")),
        "follow_up": (0, 0, None),
    }
    assert total == Decimal("47.06")


def test_a_department_with_nothing_but_a_missing_plan_scores_zero(case):  # type: ignore[no-untyped-def]
    other = Department.objects.filter(is_active=True).exclude(pk__in=[case.scjg.pk, case.jyj.pk]).first()
    metrics, total = _scores(other)
    assert metrics["plan"] == (0, 1, Decimal("0.00"))
    assert all(
        metrics[key] == (0, 0, None) for key in ("tasks", "entry", "publication", "joint", "follow_up")
    )
    assert total == Decimal("0.00")


def test_before_the_plan_deadline_nothing_is_counted_and_there_is_no_score(db):  # type: ignore[no-untyped-def]
    import datetime

    result = assess(2031, as_of=datetime.date(2031, 1, 15))[0]
    assert all(value.denominator == 0 for value in result.metrics.values())
    assert result.total is None


def test_the_office_s_weights_change_the_total(case, office_user):  # type: ignore[no-untyped-def]
    weights_save(
        actor=office_user,
        year=YEAR,
        values={"plan": 10, "tasks": 10, "entry": 30, "publication": 30, "joint": 10, "follow_up": 10},
    )
    assert _scores(case.scjg)[1] == Decimal("57.50")  # (1000+500+1500+1500+750+500)/100
    assert _scores(case.jyj)[1] == Decimal("38.89")  # 3500/90


def test_metric_rows_are_the_rows_behind_the_figure(case):  # type: ignore[no-untyped-def]
    rows = metric_rows(YEAR, "entry", as_of=AS_OF, department=case.scjg)
    assert [(row.cells[1], row.cells[2], row.state) for row in rows] == [
        ("T1", case.inspections["I1"].target.name, "met"),
        ("T1", case.inspections["I2"].target.name, "missed"),
        ("T2", case.inspections["I3"].target.name, "met"),
        ("T2", case.inspections["I4"].target.name, "missed"),
    ]
    missed = metric_rows(YEAR, "publication", as_of=AS_OF, department=case.scjg, state="missed")
    assert [row.cells[4] for row in missed] == ["2025-11-10"]
    pending = metric_rows(YEAR, "tasks", as_of=AS_OF, department=case.scjg, state="pending")
    assert [row.cells[1] for row in pending] == ["T3"]


# ---- weights ---------------------------------------------------------------------------------------


def test_weights_are_saved_and_audited(office_user):  # type: ignore[no-untyped-def]
    values = {"plan": 20, "tasks": 20, "entry": 20, "publication": 20, "joint": 10, "follow_up": 10}
    weights_save(actor=office_user, year=2027, values=values)
    assert AssessmentWeights.objects.get(year=2027).as_dict() == values
    event = AuditEvent.objects.get(action="assessment.weights")
    assert (event.object_key, event.username, event.after) == ("2027", "office1", values)
    assert event.before["plan"] == 15


def test_weights_that_do_not_sum_to_100_are_refused_in_chinese(office_user):  # type: ignore[no-untyped-def]
    values = {"plan": 20, "tasks": 20, "entry": 20, "publication": 20, "joint": 10, "follow_up": 5}
    with pytest.raises(ValidationError) as error:
        weights_save(actor=office_user, year=2027, values=values)
    assert error.value.messages == ["各项指标权重之和须为 100，当前为 95。"]
    assert not AssessmentWeights.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.weights").exists()


def test_a_negative_weight_is_refused(office_user):  # type: ignore[no-untyped-def]
    values = {"plan": -10, "tasks": 30, "entry": 20, "publication": 20, "joint": 20, "follow_up": 20}
    with pytest.raises(ValidationError) as error:
        weights_save(actor=office_user, year=2027, values=values)
    assert error.value.messages == ["“年度计划按时报送”的权重须为 0 至 100 之间的整数。"]
    assert not AssessmentWeights.objects.exists()


def test_only_the_office_sets_weights(head):  # type: ignore[no-untyped-def]
    values = {"plan": 15, "tasks": 20, "entry": 20, "publication": 20, "joint": 10, "follow_up": 15}
    with pytest.raises(ValidationError):
        weights_save(actor=head, year=2027, values=values)
    assert not AssessmentWeights.objects.exists()


def test_the_year_choice_runs_from_the_first_to_the_latest_planned_year(case):  # type: ignore[no-untyped-def]
    import datetime

    from office.assessment import assessment_years
    from plans.models import AnnualPlan

    AnnualPlan.objects.filter(department=case.jyj).update(year=2027)
    assert assessment_years(datetime.date(2026, 3, 1)) == [2027, 2026, 2025]
