"""Every dashboard figure against the hand-built year of tests/office/dashboard_world.py."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache

from office import dashboard as figures
from office.dashboard import Filters
from registry.models import Department, Target
from tests.office.dashboard_world import TODAY, YEAR, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(office_user):  # type: ignore[no-untyped-def]
    return build(office_user)


def everyone() -> Filters:
    return Filters(year=YEAR, today=TODAY)


def only(code: str, **values: object) -> Filters:
    return Filters(year=YEAR, department=Department.objects.get(code=code), today=TODAY, **values)


def by_key(rows: list[dict], *fields: str) -> dict:
    return {row["key"]: tuple(row[name] for name in fields) for row in rows}


def test_plan_filing_counts_on_time_late_and_missing_departments(world):
    departments = Department.objects.filter(is_active=True).count()
    assert by_key(figures.plan_filing(everyone()), "count") == {
        "on_time": (1,),
        "late": (1,),
        "missing": (departments - 2,),
        "pending": (0,),
    }
    assert by_key(figures.plan_filing(only("JYJ")), "count") == {
        "on_time": (0,),
        "late": (1,),
        "missing": (0,),
        "pending": (0,),
    }


def test_before_the_deadline_an_unfiled_plan_is_not_yet_missing(world):
    early = Filters(year=YEAR, today=datetime.date(YEAR, 1, 15))
    departments = Department.objects.filter(is_active=True).count()
    assert by_key(figures.plan_filing(early), "count")["pending"] == (departments - 2,)


def test_tasks_by_status_count_the_years_random_tasks_only(world):
    assert by_key(figures.tasks_by_status(everyone()), "count") == {
        "draft": (1,),
        "prepared": (0,),
        "drawn": (0,),
        "assigned": (2,),
        "closed": (2,),
    }
    assert by_key(figures.tasks_by_status(only("JYJ")), "count") == {
        "draft": (1,),
        "prepared": (0,),
        "drawn": (0,),
        "assigned": (1,),
        "closed": (1,),
    }


def test_the_draw_calendar_counts_executed_and_scheduled_draws_by_month(world):
    months = {row["key"]: (row["executed"], row["scheduled"]) for row in figures.draw_calendar(everyone())}
    assert len(months) == 12
    assert {key: value for key, value in months.items() if value != (0, 0)} == {
        "2025-02": (2, 0),
        "2025-03": (1, 0),
        "2025-04": (1, 0),
        "2025-12": (0, 1),
    }


def test_completion_per_department_counts_closed_out_of_drawn(world):
    assert by_key(figures.completion(everyone()), "drawn", "closed", "open", "rate") == {
        "SCJG": (8, 6, 2, 75.0),
        "JYJ": (3, 3, 0, 100.0),
    }
    assert by_key(figures.completion(only("JYJ")), "drawn", "closed") == {"JYJ": (3, 3)}


def test_deadlines_count_overdue_entry_and_overdue_and_late_publications(world):
    assert by_key(
        figures.deadlines(everyone()),
        "entry_overdue",
        "publications",
        "publication_overdue",
        "publication_late",
    ) == {"SCJG": (2, 3, 1, 1), "JYJ": (0, 1, 0, 0)}


def test_a_result_deadline_is_met_on_the_task_end_date_itself(world):
    on_the_day = Filters(year=YEAR, today=datetime.date(YEAR, 6, 30))
    assert figures.overdue_entry_counts(on_the_day) == {}
    next_day = Filters(year=YEAR, today=datetime.date(YEAR, 7, 1))
    assert figures.overdue_entry_counts(next_day) == {world.scjg.pk: 2}


def test_joint_share_counts_inspections_whose_visit_involves_two_departments(world):
    assert figures.joint_share(everyone()) == {"total": 9, "joint": 3, "single": 6, "rate": 33.3}
    assert figures.joint_share(only("SCJG")) == {"total": 8, "joint": 3, "single": 5, "rate": 37.5}


def test_coverage_counts_active_targets_inspected_this_year_by_risk_class(world):
    assert by_key(figures.coverage(everyone()), "total", "inspected", "rate") == {
        "A": (2, 1, 50.0),
        "B": (2, 2, 100.0),
        "C": (1, 0, 0.0),
        "D": (1, 1, 100.0),
        "": (6, 4, 66.7),
    }


def test_burden_counts_visits_per_business(world):
    assert figures.burden(everyone()) == {
        "businesses": 4,
        "visits": 7,
        "inspections": 8,
        "mean": 1.75,
        "max": 3,
        "over": 1,
        "n": 2,
        "histogram": [
            {"visits": 1, "businesses": 2},
            {"visits": 2, "businesses": 1},
            {"visits": 3, "businesses": 1},
        ],
    }
    assert figures.burden(Filters(year=YEAR, n=1, today=TODAY))["over"] == 2


def test_problem_rate_by_industry_town_and_matter(world):
    assert by_key(figures.problems_by_industry(everyone()), "entered", "problems", "rate") == {
        "F": (3, 2, 66.7),
        "H": (3, 0, 0.0),
        "-": (1, 1, 100.0),
    }
    towns = {row["label"]: (row["entered"], row["problems"]) for row in figures.problems_by_town(everyone())}
    assert towns == {"罗庄街道": (3, 2), "傅庄街道": (3, 0), "未填镇街": (1, 1)}
    assert by_key(figures.problems_by_matter(everyone()), "entered", "problems", "rate") == {
        "SCJG-DB1": (5, 3, 60.0),
        "JYJ-DB1": (2, 0, 0.0),
    }
    assert by_key(figures.problems_by_matter(only("JYJ")), "entered", "problems") == {"JYJ-DB1": (2, 0)}


# ---- drill-downs list exactly the rows each figure counts ------------------------------------------


def drill(figure: str, key: str = "", filters: Filters | None = None) -> list[tuple]:
    return figures.DRILLS[figure](filters or everyone(), key).rows


def test_plan_drill_downs_list_the_departments_of_each_state(world):
    assert [row[0] for row in drill("plans", "on_time")] == ["SCJG"]
    assert [row[0] for row in drill("plans", "late")] == ["JYJ"]
    missing = drill("plans", "missing")
    assert len(missing) == figures.plan_filing(everyone())[2]["count"]
    assert "WSJK" in [row[0] for row in missing]


def test_task_and_draw_drill_downs_match_their_counts(world):
    assert [row[0] for row in drill("tasks", "assigned")] == ["DB-T1", "DB-T2"]
    assert [row[0] for row in drill("tasks", "closed")] == ["DB-T6", "DB-T7"]
    assert [row[0] for row in drill("draws", "2025-02")] == ["DB-T6", "DB-T7"]
    assert [(row[0], row[2]) for row in drill("draws", "2025-12")] == [("DB-T3", "已承诺待抽取")]


def test_inspection_drill_downs_match_completion_and_overdue_entry(world):
    codes = {target.pk: key for key, target in world.targets.items()}
    assert {codes[world.targets[key].pk] for key in ("t3", "t4")} == {"t3", "t4"}
    incomplete = drill("incomplete", "SCJG")
    assert [row[2] for row in incomplete] == [world.targets["t3"].code, world.targets["t4"].code]
    assert drill("incomplete", "JYJ") == []
    overdue = drill("overdue-entry", "SCJG")
    assert [(row[0], row[3], row[5], row[6]) for row in overdue] == [
        ("区市场监管局", "看板测试对象3", 0, 1),
        ("区市场监管局", "看板测试对象4", 0, 1),
    ]
    assert drill("overdue-entry") == overdue


def test_publication_drill_downs_list_overdue_and_late_publications(world):
    assert [(row[0], row[3], row[6]) for row in drill("publication-overdue")] == [
        ("区市场监管局", "看板测试对象1", "待公开")
    ]
    assert [(row[3], row[7]) for row in drill("publication-late", "SCJG")] == [
        ("看板测试对象2", "2025-05-06 10:00")
    ]
    assert drill("publication-late", "JYJ") == []


def test_joint_coverage_and_burden_drill_downs_match_their_figures(world):
    joint = drill("joint")
    assert [(row[0], row[2], row[4]) for row in joint] == [
        ("DB-T1", "看板测试对象1", "区市场监管局、区教育局"),
        ("DB-T2", "看板测试对象1", "区市场监管局、区教育局"),
        ("DB-T2", "看板测试产品5", "区市场监管局、区教育局"),
    ]
    assert len(drill("joint", "single")) == 6
    assert [(row[1], row[4]) for row in drill("coverage", "B")] == [
        ("看板测试对象2", 3),
        ("看板测试对象3", 2),
    ]
    assert len(drill("coverage")) == 4
    assert [(row[1], row[4], row[5]) for row in drill("burden")] == [("看板测试对象2", 3, 3)]
    assert [row[1] for row in drill("burden", "", Filters(year=YEAR, n=1, today=TODAY))] == [
        "看板测试对象2",
        "看板测试对象3",
    ]
    assert [row[1] for row in drill("burden", "1")] == ["看板测试对象1", "看板测试对象4"]


def test_problem_drill_downs_list_the_problem_results_of_a_group(world):
    assert [(row[2], row[6]) for row in drill("problems-industry", "F")] == [
        ("看板测试对象1", "02 未按规定公示应当公示的信息"),
        ("看板测试对象1", "06 发现问题经责令已改正"),
    ]
    assert [row[2] for row in drill("problems-industry", "-")] == ["看板测试对象3"]
    assert drill("problems-industry", "H") == []
    town = str(world.targets["t1"].town_id)
    assert len(drill("problems-town", town)) == 2
    assert figures.DRILLS["problems-town"](everyone(), town).title == "发现问题的检查结果（镇街：罗庄街道）"
    assert (
        figures.DRILLS["problems-industry"](everyone(), "F").title
        == "发现问题的检查结果（行业：F 批发和零售业）"
    )
    assert [row[2] for row in drill("problems-town", "0")] == ["看板测试对象3"]
    assert len(drill("problems-matter", "SCJG-DB1")) == 3
    assert drill("problems-matter", "JYJ-DB1") == []


@pytest.mark.parametrize(
    ("figure", "key"),
    [
        ("plans", "missing"),
        ("tasks", ""),
        ("draws", ""),
        ("incomplete", ""),
        ("overdue-entry", ""),
        ("publication-overdue", ""),
        ("joint", "single"),
        ("coverage", ""),
        ("burden", "1"),
        ("problems-matter", "SCJG-DB1"),
    ],
)
def test_a_window_of_a_drill_down_is_the_same_slice_of_all_its_rows(world, figure, key):
    everything = figures.DRILLS[figure](everyone(), key, None)
    window = figures.DRILLS[figure](everyone(), key, slice(1, 3))
    assert window.count == everything.count == len(everything.rows)
    assert window.rows == everything.rows[1:3]
    assert window.links == everything.links[1:3]


def test_the_registry_totals_are_kept_ten_minutes_in_the_cache(world):
    assert figures.coverage(everyone())[-1]["total"] == 6
    Target.objects.filter(pk=world.targets["t6"].pk).update(status=Target.Status.DEREGISTERED)
    assert figures.coverage(everyone())[-1]["total"] == 6
    cache.delete(figures.REGISTRY_TOTALS_KEY)
    assert figures.coverage(everyone())[-1]["total"] == 5
