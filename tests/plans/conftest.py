import pytest

from tests.plans.helpers import claim, import_sample


@pytest.fixture
def matters(office_user, staff, outsider):
    """SCJG's 计量 (general, cap 5), 广告 (general, cap 4) and 食品经营 (key); JYJ's 民办学校 (general, cap 10)."""
    import_sample(office_user)
    return {
        "metering": claim(staff, "计量器具使用情况的检查", cap="5"),
        "adverts": claim(staff, "广告发布单位的检查", cap="4"),
        "food": claim(staff, "食品经营者的监督检查", cap=None, default="20"),
        "schools": claim(outsider, "民办学校办学行为的检查", cap="10"),
    }
