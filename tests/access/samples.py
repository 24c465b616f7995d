"""Sample objects for URL parameters, so the access matrix can open every URL.

Each app registers, in `tests/<app>/access_samples.py`, one function per URL name that
takes parameters:

    from tests.access.samples import UrlSample, url_sample

    @url_sample("plan-detail")
    def _plan(ctx):
        return UrlSample(
            own={"pk": PlanFactory(department=ctx.own).pk},
            other={"pk": PlanFactory(department=ctx.other).pk},
        )

`ctx.own` is the requesting user's department (区市场监管局 for anonymous visitors),
`ctx.other` another department, `ctx.user` the requesting user (None when anonymous).
The function is called once per requesting user, inside that test's transaction.

- `own`: URL kwargs of an object the user's department may open.
- `other`: kwargs of the same kind of object belonging to `ctx.other`; the matrix expects
  404 for it (another department's object is not found, not shown), unless
  `other_visible=True` (data shared with every department, e.g. results, 互认共享).
  Leave it None for objects that belong to no department (a user account for the admins).
- `own_status`: statuses that count as "opened" when `own` is not plain 2xx/3xx (e.g. a
  download that answers 404 for an expired file is not a good sample: make it valid).
- `roles`: who may open it, for DRF views whose permission classes the matrix cannot read.
- `query`: a query string added to both paths, for a view that needs GET parameters to
  answer at all (an htmx fragment that says which form row it serves), e.g. "prefix=initiator".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from luozhuang_dsj.models import User
from registry.models import Department


@dataclass(frozen=True)
class SampleContext:
    user: User | None
    own: Department
    other: Department
    cast: dict[str, User]


@dataclass(frozen=True)
class UrlSample:
    own: dict[str, Any]
    other: dict[str, Any] | None = None
    other_visible: bool = False
    own_status: frozenset[int] | None = None
    roles: frozenset[str] | None = None
    query: str = ""


SampleFactory = Callable[[SampleContext], UrlSample]
SAMPLES: dict[str, SampleFactory] = {}


def url_sample(url_name: str) -> Callable[[SampleFactory], SampleFactory]:
    def register(factory: SampleFactory) -> SampleFactory:
        if url_name in SAMPLES:
            raise ValueError(f"two access samples for URL {url_name!r}")
        SAMPLES[url_name] = factory
        return factory

    return register


def load_all_samples() -> dict[str, SampleFactory]:
    """Import every tests/<app>/access_samples.py, which registers its samples."""
    import importlib
    from pathlib import Path

    tests_dir = Path(__file__).resolve().parent.parent
    for path in sorted(tests_dir.glob("*/access_samples.py")):
        importlib.import_module(f"tests.{path.parent.name}.access_samples")
    return SAMPLES
