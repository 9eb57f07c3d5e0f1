"""Links to records, built without walking the URL patterns for every row.

``reverse()`` matches every candidate pattern with its regular expression (~30 µs); a
list of fifty rows with four links each spent ~6 ms on it. A route whose arguments are
integers (``<int:pk>``) has one shape: it is reversed once per process with stand-in
numbers, and each link replaces them.
"""

from __future__ import annotations

import functools

from django.urls import get_script_prefix, reverse

_STAND_INS = (97_531_864_201, 97_531_864_202, 97_531_864_203)


@functools.lru_cache(maxsize=1024)
def _shape(viewname: str, arity: int, prefix: str) -> str:
    return reverse(viewname, args=_STAND_INS[:arity])


def path(viewname: str, *ids: int) -> str:
    """``reverse(viewname, args=ids)`` for a route whose arguments are all integers."""
    url = _shape(viewname, len(ids), get_script_prefix())
    for stand_in, value in zip(_STAND_INS, ids, strict=False):
        url = url.replace(str(stand_in), str(int(value)), 1)
    return url
