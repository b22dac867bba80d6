"""A question's short form: what a run of show, an index row, a tooltip or a brief's
slot list shows in one line.

The author's ``:short:`` when there is one; else the question's first paragraph, cut at
the end of its first sentence or at a word boundary when it is long. A question's text
keeps its paragraphs apart (:data:`PARAGRAPH_BREAK`), so a question of several
paragraphs is never run together into one.
"""

from __future__ import annotations

import re

#: what separates the paragraphs of a question's plain text
PARAGRAPH_BREAK = '\n\n'
#: the longest short form made from a question's text, in characters (an index row or a
#: run of show's line stays one or two lines long)
SHORT_LIMIT = 90
ELLIPSIS = '…'

# The end of a sentence: its mark (and a closing quote or bracket), then a space; in
# Chinese and Japanese, where no space follows, the full-width mark alone.
_SENTENCE_END = re.compile(r'[.?!](?:["”’)\]]*)(?=\s)|[。？！](?:[」』）]*)')


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a question's plain text."""
    return [part for part in text.split(PARAGRAPH_BREAK) if part.strip()]


def shortened(text: str, limit: int = SHORT_LIMIT) -> str:
    """The first paragraph of *text*; when it is longer than *limit*, its first sentence
    if that fits, else as many whole words as fit. An ellipsis says something was left
    out (a later paragraph, a sentence, words)."""
    parts = paragraphs(text)
    if not parts:
        return ''
    first = parts[0].strip()
    more = len(parts) > 1
    if len(first) <= limit:
        return first + (' ' + ELLIPSIS if more else '')
    sentence = _SENTENCE_END.search(first)
    if sentence is not None and sentence.end() <= limit:
        return first[: sentence.end()] + ' ' + ELLIPSIS
    cut = first[:limit]
    space = cut.rfind(' ')
    if space > limit // 2:  # a very long word is cut rather than dropped whole
        cut = cut[:space]
    return cut.rstrip(' ,;:—–-') + ELLIPSIS


def short_form(short: str, text: str, limit: int = SHORT_LIMIT) -> str:
    """The one-line form of a question: the author's *short*, else its shortened
    *text*."""
    return short.strip() or shortened(text, limit)
