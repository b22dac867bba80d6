"""The extension's message catalogue.

Every label the build writes goes through ``_`` (translated into the project's
``language``); every warning goes through ``__`` (translated into the language of whoever
runs the build, as Sphinx does with its own console messages). The catalogues are kept
as ``.po`` files in the package and compiled to ``.mo`` when Sphinx loads the extension,
into a cache folder keyed by their content, so nothing binary is committed and an
installed package needs no write access to itself.

Maintainers update the template and merge it into every catalogue with
``python -m sphinx_briefing.locale``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sphinx.locale import get_translation

from sphinx_briefing._files import replacing

MESSAGE_CATALOG_NAME = 'sphinx_briefing'
LOCALE_DIR = Path(__file__).parent / 'locales'

#: for what the build writes (labels): translated into the project's ``language``
_ = get_translation(MESSAGE_CATALOG_NAME)
#: for what the build says on the console (warnings): translated into the language of the
#: person running it (their locale), as Sphinx does with its own messages
__ = get_translation(MESSAGE_CATALOG_NAME, 'console')


def _po_files() -> list[Path]:
    return sorted(LOCALE_DIR.glob(f'*/LC_MESSAGES/{MESSAGE_CATALOG_NAME}.po'))


def compiled_locale_dir() -> Path:
    """A folder of compiled catalogues (``<lang>/LC_MESSAGES/sphinx_briefing.mo``),
    compiled from the package's ``.po`` files the first time this content is seen."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    digest = hashlib.blake2b(digest_size=8)
    for po in _po_files():
        digest.update(po.parent.parent.name.encode())
        digest.update(po.read_bytes())
    cache = (
        Path(os.environ.get('SPHINX_BRIEFING_CACHE') or tempfile.gettempdir())
        / f'sphinx-briefing-locales-{digest.hexdigest()}'
    )
    for po in _po_files():
        language = po.parent.parent.name
        mo = cache / language / 'LC_MESSAGES' / f'{MESSAGE_CATALOG_NAME}.mo'
        if mo.is_file():
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open('rb') as stream:
            catalog = read_po(stream, locale=language)
        with replacing(mo) as stream:  # parallel builds may compile at once
            write_mo(stream, catalog)
    return cache


def update_catalogues() -> None:
    """Extract every message of the package into the template and merge it into each
    language's catalogue (new messages arrive untranslated; unused ones are dropped)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po, write_po

    template = Catalog(project='sphinx-briefing', domain=MESSAGE_CATALOG_NAME)
    package = Path(__file__).parent
    for filename, lineno, message, comments, context in extract_from_dir(
        str(package), method_map=[('**.py', 'python')], keywords={'_': None, '__': None}
    ):
        template.add(
            message, locations=[(filename, lineno)], auto_comments=comments, context=context
        )
    with (LOCALE_DIR / f'{MESSAGE_CATALOG_NAME}.pot').open('wb') as stream:
        write_po(stream, template, omit_header=False, sort_output=True, width=96)
    for po in _po_files():
        with po.open('rb') as stream:
            catalog = read_po(stream, locale=po.parent.parent.name)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with po.open('wb') as stream:
            write_po(stream, catalog, sort_output=True, width=96, include_previous=False)


if __name__ == '__main__':
    update_catalogues()
