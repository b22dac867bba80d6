"""Anchors the step hands out: an entry's in a bibliography, a question's row in an index.

Shared by the step and by :class:`~sphinx_briefing.derive.result.Derived`'s lookups, so
they live apart from both.
"""

from __future__ import annotations

from functools import lru_cache

from sphinx_briefing.citations.compat import formatted_id
from sphinx_briefing.model import Placeholder, Question


def entry_anchor(bibliography: str, key: str, template: str) -> str:
    fallback = f'{bibliography}-{slug(key)}'
    return formatted_id(template, fallback, key=key) if template else fallback


@lru_cache(maxsize=65536)
def slug(key: str) -> str:
    """An id-safe form of a citation key."""
    from docutils.nodes import make_id

    if key[:1].isalpha():
        return make_id(key) or 'entry'
    # make_id drops leading digits and punctuation: "10.2307/25619751" would be "" and
    # "0982mt" "mt", and keys that differ only there would share one anchor.
    return make_id(f'key-{key}')


def row_anchor(placeholder: Placeholder, question: Question) -> str:
    """Anchor of a question's row in a question index (both ids are document-unique)."""
    return f'{placeholder.anchor}-{question.anchor}'
