"""From the step's result to docutils nodes, for one page being written.

One module a concern, each a renderer class adding its collection to the page renderer:
``common`` (fields, labels, dates, tables), ``page`` (links, names, numbers, stances,
citations), ``boxes`` (the boxes' headers and footers), ``index`` (question indexes),
``bibliography``, ``matrix`` (position matrices), ``schedule`` (runs of show), ``pack``
(the moderator's pack and a brief's stamp), ``brief`` (panellist briefs), ``day`` (cue
cards and the agenda) and ``copies`` (bodies shown again elsewhere); ``collections``
puts them together for the page filler. Everything reads
:class:`~sphinx_briefing.derive.Derived` through the page's recording view
(:mod:`sphinx_briefing.reads`) and returns standard nodes, which every builder's own
translator writes, so themes style them as their own.
"""
