"""The only place that registers things with Sphinx; event order is commented."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinx_briefing import __version__

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata


def setup_extension(app: Sphinx) -> ExtensionMetadata:
    from sphinx.locale import init_console

    from sphinx_briefing import (
        assets,
        calendar,
        config,
        day_latex,
        events,
        export,
        indexparts,
        latex,
        nodes,
        pages,
        word,
    )
    from sphinx_briefing.citations.roles import (
        BibliographyDirective,
        CitationFootnotes,
        CitationNoteNumbers,
        CiteDomain,
        CiteRole,
        FootBibliographyDirective,
        FootCiteDomain,
        reread_when_notes_change,
    )
    from sphinx_briefing.directives import DIRECTIVES
    from sphinx_briefing.domain import ROLES, BriefingDomain, BriefingXRefRole
    from sphinx_briefing.locale import MESSAGE_CATALOG_NAME, compiled_locale_dir
    from sphinx_briefing.render import copies

    # -- what the extension adds --------------------------------------------------------
    config.register(app)
    word.register(app)  # -b briefingdocx and briefing_docx_reference
    copies.quieten_resolvers()
    # Labels follow the project's language; warnings the console's, as Sphinx's own do.
    locale_dir = compiled_locale_dir()
    app.add_message_catalog(MESSAGE_CATALOG_NAME, str(locale_dir))
    init_console(locale_dir, MESSAGE_CATALOG_NAME)
    nodes.register(app)
    app.add_domain(BriefingDomain)
    app.add_domain(CiteDomain)  # {cite:p} and friends, as in sphinxcontrib-bibtex
    app.add_domain(FootCiteDomain)  # {footcite:p} and friends
    # sphinxcontrib-bibtex's short forms: :cite: is cite:p, :footcite: footcite:p
    app.add_role('cite', CiteRole('p'))
    app.add_role('footcite', CiteRole('foot-p'))
    app.add_directive('footbibliography', FootBibliographyDirective)
    # Bare names (``{question}``, ``panel``) beside the namespaced ``briefing:`` forms.
    for name, directive in DIRECTIVES.items():
        app.add_directive(name, directive)
    for kind in ROLES:
        app.add_role(kind, BriefingXRefRole(kind))
    app.add_directive('bibliography', BibliographyDirective)
    app.add_directive('toctree', pages.EditionTocTree, override=True)

    # -- the events, in the order a build meets them ---------------------------------------
    # config-inited: after the values are validated (400) and the source suffixes merged
    # (800), before any document is found: pages for a narrower audience than the edition
    # are excluded, and toctrees drop their entries (EditionTocTree).
    app.connect('config-inited', pages.leave_out_pages, priority=850)
    # builder-inited: outputs of pages left out go; the stylesheet; the search page; the
    # LaTeX themes of briefs, cue cards and agendas.
    app.connect('builder-inited', pages.remove_left_out_outputs)
    app.connect('builder-inited', assets.declare_for_builder)
    app.connect('builder-inited', events.keep_no_search_out_of_search)
    app.connect('builder-inited', latex.register_brief_theme)
    app.connect('builder-inited', day_latex.register_themes)
    app.connect('env-get-outdated', reread_when_notes_change)
    # env-before-read-docs: pandoc reads the .bib files in its own process meanwhile.
    app.connect('env-before-read-docs', events.start_reading_bibfiles)
    # Reading, around docutils' footnote numbering: note styles' citations as footnotes.
    app.add_transform(CitationFootnotes)
    app.add_transform(CitationNoteNumbers)
    # env-updated: once per build, main process, after every parallel merge; the only
    # cross-document step. It returns the pages to rewrite: those whose recorded reads of
    # its result changed (reads.py). After it (900), LaTeX's documents: the briefs, the
    # title page's date, the cue cards and agendas.
    app.connect('env-updated', events.derive_and_pick_rewrites)
    app.connect('env-updated', latex.add_brief_documents, priority=900)
    app.connect('env-updated', latex.set_title_date, priority=900)
    app.connect('env-updated', day_latex.add_day_documents, priority=900)
    # Writing reads only. A post-transform before reference resolution fills collections
    # (the bodies briefs copy keep their cross-references) and starts recording what the
    # page reads; doctree-resolved then adds the boxes' headers and footers, formats
    # citations and puts the handling banner on HTML pages (the whole book at once for
    # LaTeX); after it (600), LaTeX's notices, table layouts and a brief's cover, and
    # (700) the PDFs of cue cards and agendas cut down to their collections.
    app.add_post_transform(events.FillCollections)
    app.connect('doctree-resolved', events.fill_page)
    app.connect('doctree-resolved', events.add_banner)
    app.connect('doctree-resolved', latex.prepare_doctree, priority=600)
    app.connect('doctree-resolved', day_latex.keep_collections_only, priority=700)
    # Before intersphinx (500): a withheld object of this project is not looked up abroad.
    app.connect('missing-reference', events.show_withheld_reference, priority=400)
    app.connect('warn-missing-reference', events.report_missing_reference)
    app.connect('html-page-context', events.html_page_context)
    app.connect('html-page-context', indexparts.domain_index_page)
    # Before sphinx.ext.mathjax (500), which decides there whether a page loads MathJax.
    app.connect('html-page-context', events.load_maths_for_copies, priority=400)
    app.connect('html-collect-pages', indexparts.part_pages)
    # build-finished: sources copied for briefs go; briefing.json; calendar files; the
    # pages' reads, once every page (and every part of a split index) is written; the
    # stylesheet.
    app.connect('build-finished', events.remove_copied_sources)
    app.connect('build-finished', export.write_export)
    app.connect('build-finished', calendar.write_calendars)
    app.connect('build-finished', events.save_page_reads)
    app.connect('build-finished', assets.copy_for_builder)

    return {
        'version': __version__,
        'env_version': 2,  # 2: a panel's time zone
        'parallel_read_safe': True,
        'parallel_write_safe': True,
    }
