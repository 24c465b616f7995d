"""{% memo %}: a fragment rendered once per process and per listed value."""

from __future__ import annotations

from django.template import Context, Template

from luozhuang_dsj.templatetags import fragments


def test_a_memo_fragment_is_rendered_once_per_value(monkeypatch):
    monkeypatch.setattr(fragments, "_fragments", {})
    page = Template('{% load fragments %}{% memo "sample" kind %}{{ kind }}-{{ counter }}{% endmemo %}')
    assert page.render(Context({"kind": "a", "counter": 1})) == "a-1"
    assert page.render(Context({"kind": "a", "counter": 2})) == "a-1"  # the first rendering
    assert page.render(Context({"kind": "b", "counter": 3})) == "b-3"
    monkeypatch.setattr(fragments, "_LIMIT", 2)
    assert page.render(Context({"kind": "c", "counter": 4})) == "c-4"  # full: started again
    assert [key[:2] for key in fragments._fragments] == [("sample", "c")]
