"""Citations: .bib files read into CSL data (:mod:`.bibtex`), formatted by pandoc's
citeproc (:mod:`.citeproc`), the citation part of the step after reading (:mod:`.step`),
and the ``cite`` roles and ``bibliography`` directive (:mod:`.roles`)."""
