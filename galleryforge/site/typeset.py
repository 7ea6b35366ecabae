"""The KD model's symbols set as mathematics in a page's text: d*_S, F_alive and g(α).

Tables, captions, generated sentences and the site's prose write them in ASCII (``d*_S``), which
is right for a terminal, a CSV or alt text but reads as code on a page. After a page is rendered,
each symbol in its text becomes ``<i>d</i>*<sub>S</sub>``, ``<i>F</i><sub>alive</sub>`` and
``<i>g</i>(α)``. Only text between tags changes: attribute values (alt text, titles, meta
descriptions) and the contents of ``script``, ``style``, ``title`` and ``textarea`` elements stay
as written, since markup is not allowed, or not shown, there. The replacements are fixed strings,
so text that was escaped stays escaped.
"""

from __future__ import annotations

import re

SYMBOLS = {
    "d*_S": "<i>d</i>*<sub>S</sub>",
    "F_alive": "<i>F</i><sub>alive</sub>",
    "g(α)": "<i>g</i>(α)",
}
_SYMBOL = re.compile("|".join(re.escape(s) for s in SYMBOLS))
# A tag, or an element whose content must stay plain text, taken whole.
_RAW = "script|style|title|textarea"
_SKIP = re.compile(rf"<({_RAW})\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


def typeset(html: str) -> str:
    """``html`` with the KD symbols in its text set as mathematics."""
    parts, end = [], 0
    for match in _SKIP.finditer(html):
        parts.append(_SYMBOL.sub(lambda m: SYMBOLS[m.group(0)], html[end : match.start()]))
        parts.append(match.group(0))
        end = match.end()
    parts.append(_SYMBOL.sub(lambda m: SYMBOLS[m.group(0)], html[end:]))
    return "".join(parts)
