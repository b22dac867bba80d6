"""Ids of the nodes the extension makes, unique across the whole project.

singlehtml (and any builder that joins documents) puts every document on one page, so
an id numbered per document (``bibliography-0``) would repeat there and links would lead
to the first. Ids that authors write or link to (``question-<id>``, ``panel-<id>`` …)
are unique already: the domain warns about a second object with the same id. Every
other id carries its document's name (``bibliography-notes-0``): numbered within that
document only, so it does not change when other documents are added or read in
another order.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import TYPE_CHECKING

from sphinx.util.nodes import make_id

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.environment import BuildEnvironment

_NOT_SLUG = re.compile(r'[^a-z0-9]+')


def doc_slug(docname: str) -> str:
    """*docname* as a part of an id: ``themes/trade`` → ``themes-trade``. A name whose
    letters are not all ASCII also gets a short digest of itself: transliterating (or
    dropping) them could make two documents' slugs equal."""
    ascii_name = unicodedata.normalize('NFKD', docname).encode('ascii', 'ignore').decode('ascii')
    slug = _NOT_SLUG.sub('-', ascii_name.lower()).strip('-')
    if slug and docname.isascii():
        return slug
    digest = hashlib.blake2b(docname.encode('utf-8'), digest_size=3).hexdigest()
    return f'{slug or "doc"}-{digest}'


_NOT_FILE_SAFE = re.compile(r'[^A-Za-z0-9._-]+')


def file_stem(name: str) -> str:
    """*name* (a participant or panel id) as part of a file name: kept when it is ASCII
    letters, digits, '.', '_' and '-'; otherwise what is left of it with a short digest of
    the whole, so that two ids in other scripts never share a file."""
    kept = _NOT_FILE_SAFE.sub('-', name).strip('-.')
    if kept and kept == name:
        return name
    digest = hashlib.blake2b(name.encode('utf-8'), digest_size=3).hexdigest()
    return f'{kept}-{digest}' if kept else digest


def generated_id(
    env: BuildEnvironment, document: nodes.document, prefix: str, term: str = ''
) -> str:
    """``<prefix>-<document>-<term>`` or, without a usable *term*, ``<prefix>-<document>-<n>``
    (n counting from 0 in the document being read)."""
    return make_id(env, document, f'{prefix}-{doc_slug(env.docname)}', term or None)


def authored_id(env: BuildEnvironment, document: nodes.document, prefix: str, key: str) -> str:
    """``<prefix>-<key>`` for an id an author wrote; a key that makes no id (no ASCII
    letter or digit) or that is repeated in the document gets a generated one."""
    if key:
        node_id = make_id(env, document, prefix, key)
        # make_id falls back to its own '<prefix>-<n>', numbered per document
        if node_id == f'{prefix}-{key}' or not re.fullmatch(rf'{re.escape(prefix)}-\d+', node_id):
            return node_id
    return generated_id(env, document, prefix)


def local_anchor(anchor: str, prefix: str, docname: str) -> str:
    """*anchor* of a generated id without its document (``question-index-notes-1`` →
    ``question-index-1``): enough where the document is named already (file names)."""
    infix = f'{prefix}-{doc_slug(docname)}-'
    if anchor.startswith(infix):
        return prefix + '-' + anchor[len(infix) :]
    return anchor
