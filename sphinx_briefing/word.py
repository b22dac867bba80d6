"""Word documents: the book and each participant's brief as .docx (``-b briefingdocx``).

The builder is Sphinx's single-page HTML builder with its own translator: the book is
assembled as ``singlehtml`` assembles it, written by the HTML translator (so everything
the extension shows is docutils nodes written the usual way), and the HTML is handed to
pandoc, whose Word writer gives Word's own styles: headings ``Heading 1`` …, lists with
Word numbering, tables in ``Table`` style, footnotes as Word footnotes (``Footnote
Text``). Footnotes are written the way pandoc's HTML reader takes notes (an endnotes
section holding the note); docutils' ``aside`` it would read as paragraphs. Each
document holding a ``panellist-brief`` is also written alone, ``brief-<participant>.docx``.

The handling notice goes into the page header: python-docx puts it into a copy of the
reference document (the user's ``briefing_docx_reference``, else pandoc's own), whose
header pandoc keeps. Bytes are deterministic (``SOURCE_DATE_EPOCH`` for pandoc, fixed zip
dates), and pandoc runs only when what goes into a file changed: an unchanged file is
not written again.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import json
import os
import re
import subprocess
import tempfile
import zipfile
from copy import deepcopy
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.utils import new_document
from sphinx import addnodes
from sphinx.builders.singlehtml import SingleFileHTMLBuilder
from sphinx.util.osutil import make_filename_from_project
from sphinx.writers.html5 import HTML5Translator

from sphinx_briefing import config as briefing_config
from sphinx_briefing import nodes as bnodes
from sphinx_briefing._files import replacing
from sphinx_briefing.citations.citeproc import CiteprocError, _pandoc_path
from sphinx_briefing.config import conf_location
from sphinx_briefing.domain import briefing_domain
from sphinx_briefing.events import banner_parts
from sphinx_briefing.ids import file_stem
from sphinx_briefing.locale import _, __
from sphinx_briefing.warnings_ import Subtype, warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

    from sphinx_briefing.derive import Derived

#: what the builder remembers between builds, in its output folder: file → input digest
RECORD_NAME = '.briefing-docx.json'
#: 1980-01-01, the earliest date a zip file can hold: the files' fixed date
_EPOCH = 315532800
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class DocxTranslator(HTML5Translator):
    """HTML for pandoc's reader: footnotes as notes, no permalinks."""

    def visit_footnote(self, node: nodes.footnote) -> None:
        # pandoc takes a note's text from an item of an endnotes section, by its id.
        ids = node.get('ids') or ['']
        self.body.append(f'<section role="doc-endnotes"><ol><li id="{self.attval(ids[0])}">')

    def depart_footnote(self, node: nodes.footnote) -> None:
        self.body.append('</li></ol></section>\n')

    def visit_math(self, node: nodes.math, math_env: str = '') -> None:
        # pandoc reads TeX in a math/tex script as maths: Word equations (OMML).
        self.body.append(f'<script type="math/tex">{_script(node.astext())}</script>')
        raise nodes.SkipNode

    def visit_math_block(self, node: nodes.math_block, math_env: str = '') -> None:
        tex = _script(node.astext())
        self.body.append(f'<p><script type="math/tex; mode=display">{tex}</script></p>\n')
        raise nodes.SkipNode

    def visit_label(self, node: nodes.label) -> None:
        if isinstance(node.parent, nodes.footnote):
            raise nodes.SkipNode  # Word numbers its footnotes itself
        super().visit_label(node)


def _script(text: str) -> str:
    """*text* as the content of a script element, which nothing but its end tag ends."""
    return text.replace('</', '<\\/')


class BriefingDocxBuilder(SingleFileHTMLBuilder):
    """Builds the book and each brief as a Word document."""

    name = 'briefingdocx'
    epilog = __('The Word documents are in %(outdir)s.')
    default_translator_class = DocxTranslator
    copysource = False
    search = False
    add_permalinks = False
    supported_image_types: ClassVar[list[str]] = ['image/png', 'image/jpeg', 'image/gif']

    def init(self) -> None:
        super().init()
        self._body = ''

    def copy_assets(self) -> None:
        pass  # a Word document carries its own styles

    def finish(self) -> None:
        pass  # no static files, inventory or additional pages beside the Word files

    def handle_page(self, pagename: str, addctx: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        # The page's body only: pandoc should not see a theme's navigation.
        self._body = str(addctx.get('body', ''))

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        """Called once, with the whole book assembled (see singlehtml)."""
        pandoc = self._pandoc()
        found = self._base_reference(pandoc) if pandoc is not None else None
        if pandoc is None or found is None:
            return
        version, base = found
        derived = briefing_domain(self.env).derived
        # The page header holds the notice; the book's title opens its first page.
        for banner in list(doctree.findall(bnodes.briefing_banner)):
            banner.parent.remove(banner)
        _unique_footnote_ids(doctree, docname)
        outputs: list[tuple[str, nodes.document | None, str | None]] = [
            (f'{make_filename_from_project(self.config.project)}.docx', doctree, None)
        ]
        for name, brief in brief_targets(derived):
            outputs.append((name, _part(doctree, brief, self), brief))
        record_path = Path(self.outdir) / RECORD_NAME
        try:
            previous = json.loads(record_path.read_text(encoding='utf-8'))
        except (OSError, ValueError):
            previous = {}
        record: dict[str, str] = {}
        for target, tree, brief_doc in outputs:
            if tree is None:
                continue
            self._body = ''
            super().write_doc(docname, tree)
            docs = [brief_doc] if brief_doc else list(self.env.all_docs)
            header = header_text(self.config, derived, docs)
            reference = self._reference(base, header)
            if reference is None:
                return
            metadata = self._metadata()
            digest = _digest(self._body, header, base, version, *metadata)
            record[target] = digest
            path = Path(self.outdir) / target
            if previous.get(target) == digest and path.is_file():
                continue
            data = self._convert(pandoc, self._body, reference, metadata)
            if data is None:
                return
            with replacing(path, keep_if_same=True) as stream:
                stream.write(data)
        for old in set(previous) - set(record):
            if old.endswith('.docx'):
                (Path(self.outdir) / old).unlink(missing_ok=True)
        with replacing(record_path, text=True, keep_if_same=True) as stream:
            json.dump(record, stream, sort_keys=True, indent=0)

    # -- pandoc ------------------------------------------------------------------------

    def _pandoc(self) -> str | None:
        try:
            path: str = self.config.briefing_pandoc or _pandoc_path()
        except CiteprocError as exc:
            self._failed(str(exc))
            return None
        return path

    def _failed(self, message: str) -> None:
        warn(
            __('the Word documents could not be made: %s') % message,
            Subtype.CITEPROC,
            conf_location(self, 'briefing_pandoc'),
        )

    def _work_dir(self) -> Path:
        folder = Path(self.doctreedir) / 'briefing-docx'
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _base_reference(self, pandoc: str) -> tuple[bytes, bytes] | None:
        """pandoc's version and the reference document, as given or pandoc's own (read
        once per build): what every file's bytes depend on besides its content."""
        given = reference_path(self.config, self.confdir)
        try:
            version = _run([pandoc, '--version'], b'').split(b'\n', 1)[0]
            if given is not None:
                return version, given.read_bytes()
            default = _run([pandoc, '--print-default-data-file', 'reference.docx'], b'')
        except (OSError, CiteprocError) as exc:
            self._failed(str(exc))
            return None
        return version, default

    def _reference(self, base: bytes, header: str) -> Path | None:
        """The reference document *base* with *header* in its page header, made once
        for each reference and header and kept in the doctree folder."""
        name = hashlib.blake2b(base + header.encode('utf-8'), digest_size=12).hexdigest()
        path = self._work_dir() / f'reference-{name}.docx'
        if not path.is_file():
            try:
                data = with_header(base, header)
            except Exception as exc:  # a document that changed since it was checked
                self._failed(f'{type(exc).__name__}: {exc}')
                return None
            with replacing(path) as stream:
                stream.write(data)
        return path

    def _metadata(self) -> list[str]:
        """The document's author and language (Word's spelling and hyphenation)."""
        found = []
        if self.config.author:
            found.append(f'--metadata=author:{self.config.author}')
        if self.config.language:
            found.append(f'--metadata=lang:{self.config.language}')
        return found

    def _convert(
        self, pandoc: str, body: str, reference: Path, metadata: list[str]
    ) -> bytes | None:
        images = self._work_dir() / 'images'
        for source, name in self.images.items():
            (images / '_images').mkdir(parents=True, exist_ok=True)
            try:
                (images / '_images' / name).write_bytes((Path(self.srcdir) / source).read_bytes())
            except OSError:
                continue  # Sphinx warned about the missing image when it read the page
        html = f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'
        with tempfile.TemporaryDirectory(dir=self._work_dir()) as temp:
            out = Path(temp) / 'out.docx'
            args = [
                pandoc,
                '--from=html',
                '--to=docx',
                f'--reference-doc={reference}',
                # The book's (or brief's) title is the document's title, chapters Heading 1.
                '--shift-heading-level-by=-1',
                *metadata,
                f'--resource-path={images}',
                f'--output={out}',
            ]
            try:
                _run(args, html.encode('utf-8'))
                data = out.read_bytes()
            except (OSError, CiteprocError) as exc:
                self._failed(str(exc))
                return None
        return fixed_zip(data)


def _run(args: list[str], stdin: bytes) -> bytes:
    # Fixed dates in what pandoc writes (docProps, zip entries): the same input gives
    # the same bytes.
    env = {**os.environ, 'SOURCE_DATE_EPOCH': os.environ.get('SOURCE_DATE_EPOCH', str(_EPOCH))}
    try:
        result = subprocess.run(args, input=stdin, capture_output=True, timeout=600, env=env)
    except (OSError, subprocess.SubprocessError) as exc:
        raise CiteprocError(f'cannot run pandoc ({args[0]}): {exc}') from None
    if result.returncode != 0:
        message = result.stderr.decode('utf-8', 'replace').strip()
        raise CiteprocError(f'pandoc failed: {message}')
    return result.stdout


def _digest(*parts: str | bytes) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode('utf-8') if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, 'big'))
        digest.update(data)
    return digest.hexdigest()


def fixed_zip(data: bytes) -> bytes:
    """The zip file *data* with every entry dated 1980-01-01: python-docx dates entries
    with the time of saving, and pandoc keeps the reference document's dates."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info))
    return out.getvalue()


def with_header(reference: bytes, header: str) -> bytes:
    """The reference document *reference* with *header* as the first line of every
    section's page header (before the house style's own header, if it has one)."""
    import docx

    document = docx.Document(io.BytesIO(reference))
    if header:
        for section in document.sections:
            part = section.header
            part.is_linked_to_previous = False
            paragraphs = part.paragraphs
            style = 'Header' if any(s.name == 'Header' for s in document.styles) else None
            if paragraphs and not paragraphs[0].text.strip() and len(paragraphs) == 1:
                paragraphs[0].text = header
                if style:
                    paragraphs[0].style = document.styles[style]
            elif paragraphs:
                paragraphs[0].insert_paragraph_before(header, style)
            else:
                part.add_paragraph(header, style)
    out = io.BytesIO()
    document.save(out)
    return fixed_zip(out.getvalue())


_EDITIONS = {
    'moderator': lambda: _('Moderator edition'),
    'panellist': lambda: _('Panellist edition'),
    'public': lambda: _('Public edition'),
}


def header_text(config: Config, derived: Derived, docnames: list[str]) -> str:
    """The page header: the handling notices and statuses of *docnames*' pages, as their
    banners say them (each different one once), and the edition."""
    notices: list[str] = []
    for doc in sorted(docnames):
        line = ' · '.join(text for _css, text in banner_parts(derived, doc))
        if line and line not in notices:
            notices.append(line)
    edition = str(_EDITIONS[briefing_config.edition(config)]())
    return ' — '.join([*sorted(notices), edition])


def brief_targets(derived: Derived) -> list[tuple[str, str]]:
    """(file name, document) of each brief: a document holding a ``panellist-brief``,
    named after its participant."""
    targets: list[tuple[str, str]] = []
    taken: set[str] = set()
    seen: set[str] = set()
    for ph in derived.placeholders:
        if ph.kind != 'panellist-brief' or ph.docname in seen:
            continue
        if (ph.docname, ph.anchor) not in derived.placeholder_panel:
            continue  # an unknown participant: warned about, nothing to write
        seen.add(ph.docname)
        stem = 'brief-' + file_stem(ph.participant)
        name, number = stem, 1
        while name in taken:
            number += 1
            name = f'{stem}-{number}'
        taken.add(name)
        targets.append((f'{name}.docx', ph.docname))
    return targets


def _owner(node: nodes.Node, root: str) -> str:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, addnodes.start_of_file):
            return str(parent['docname'])
        parent = parent.parent
    return root


def _unique_footnote_ids(doctree: nodes.document, root: str) -> None:
    """Give footnotes ids unique in the book: each document numbers its own from id1, and
    pandoc matches a note to its reference by id."""
    renamed: dict[tuple[str, str], str] = {}
    for footnote in doctree.findall(nodes.footnote):
        doc = _owner(footnote, root)
        prefix = 'fn-' + re.sub(r'[^A-Za-z0-9_-]+', '-', doc) + '-'
        new = []
        for old in footnote['ids']:
            renamed[(doc, old)] = prefix + old
            new.append(prefix + old)
        footnote['ids'] = new
    for reference in doctree.findall(nodes.footnote_reference):
        key = (_owner(reference, root), reference.get('refid', ''))
        if key in renamed:
            reference['refid'] = renamed[key]


def _part(
    book: nodes.document, docname: str, builder: BriefingDocxBuilder
) -> nodes.document | None:
    """The document *docname* alone, cut from the assembled book (with the documents its
    own toctrees include), or resolved alone when the book does not include it; links
    to the rest of the book become text."""
    if docname == builder.config.root_doc:
        return book  # a book of one brief
    for start in book.findall(addnodes.start_of_file):
        if start['docname'] == docname:
            document = new_document(docname, book.settings)
            document.extend(deepcopy(start.children))
            break
    else:
        document = _resolved(builder, docname)
        for banner in list(document.findall(bnodes.briefing_banner)):
            banner.parent.remove(banner)
    document['docname'] = docname
    ids = {i for node in document.findall(nodes.Element) for i in node['ids']}
    ids.add(f'document-{docname}')
    for reference in list(document.findall(nodes.reference)):
        uri = reference.get('refuri', '')
        target = reference.get('refid') or (uri[1:] if uri.startswith('#') else None)
        if target is not None and target not in ids:
            reference.replace_self(nodes.inline('', '', *reference.children))
    return document


def _resolved(builder: BriefingDocxBuilder, docname: str) -> nodes.document:
    """A document outside every toctree (an orphan), resolved on its own."""
    method = builder.env.get_and_resolve_doctree
    if 'tags' in inspect.signature(method).parameters:  # Sphinx 8.2 and later
        return method(docname, builder, tags=builder.tags)
    return method(docname, builder)


# -- configuration -----------------------------------------------------------------------


def _unreadable(path: Path) -> str | None:
    """Why the Word document at *path* cannot be a reference document, or None."""
    import docx

    try:
        with zipfile.ZipFile(path) as archive:
            if 'word/document.xml' not in archive.namelist():
                return __('not a Word document')
        docx.Document(str(path))
    except Exception:  # python-docx raises what its XML and zip readers raise
        return __('not a Word document')
    return None


def reference_path(config: Config, confdir: str | os.PathLike[str]) -> Path | None:
    value = config.briefing_docx_reference
    if not value or not isinstance(value, str):
        return None
    return Path(confdir) / value


def check_reference(app: Sphinx, config: Config) -> None:
    """``config-inited``: a reference document that is not a Word file is warned about at
    conf.py and not used (pandoc's own styles are)."""
    value = config.briefing_docx_reference
    if value in ('', None):
        return
    where = conf_location(app, 'briefing_docx_reference')
    if not isinstance(value, str | os.PathLike):
        warn(
            __("briefing_docx_reference = %r is not a file name; using pandoc's styles") % (value,),
            Subtype.CONFIG,
            where,
        )
        config.briefing_docx_reference = ''
        return
    path = Path(app.confdir) / value
    problem = _unreadable(path) if path.is_file() else __('no such file')
    if problem is not None:
        warn(
            __("briefing_docx_reference = %r cannot be used (%s); using pandoc's styles")
            % (os.fspath(value), problem),
            Subtype.CONFIG,
            where,
        )
        config.briefing_docx_reference = ''
    else:
        config.briefing_docx_reference = os.fspath(value)


def register(app: Sphinx) -> None:
    # Read when the Word documents are written: a change makes new files, not a re-read.
    app.add_config_value('briefing_docx_reference', '', '', types=(str,))
    app.add_builder(BriefingDocxBuilder)
    app.connect('config-inited', check_reference, priority=400)
