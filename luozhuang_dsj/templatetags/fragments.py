"""`{% memo "name" value… %}…{% endmemo %}`: a fragment rendered once per process.

For markup that depends only on the deployment (the URLconf, the static files' names, the
language) and on the listed values, such as the public site's header and footer: the
cache tag did the same through the cache, which cost a cache read (a Redis round trip in
production) on every public page. List only values from a small fixed set (a URL name):
each distinct value keeps one rendering for the life of the process.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

_fragments: dict[tuple[Any, ...], SafeString] = {}
# More renderings than the fixed sets could give means the values are not fixed: start again.
_LIMIT = 1000


class MemoNode(template.Node):
    def __init__(
        self, nodelist: template.NodeList, name: str, values: list[template.base.FilterExpression]
    ) -> None:
        self.nodelist, self.name, self.values = nodelist, name, values

    def render(self, context: template.Context) -> SafeString:
        key = (
            self.name,
            *(value.resolve(context) for value in self.values),
            get_urlconf(),
            get_script_prefix(),
            get_language(),
            settings.STATIC_URL,
        )
        found = _fragments.get(key)
        if found is None:
            if len(_fragments) >= _LIMIT:
                _fragments.clear()
            # A node list renders to a SafeString: its parts were escaped as they rendered.
            found = _fragments[key] = self.nodelist.render(context)
        return found


@register.tag
def memo(parser: template.base.Parser, token: template.base.Token) -> MemoNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("memo 标签需要一个片段名称。")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, bits[1].strip("\"'"), [parser.compile_filter(bit) for bit in bits[2:]])
