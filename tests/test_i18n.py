"""Translatable labels and the Japanese catalogue; Japanese text in briefing objects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from conftest import MYST_CONF

from sphinx_briefing.locale import LOCALE_DIR, MESSAGE_CATALOG_NAME, compiled_locale_dir

PACKAGE = Path(__file__).parent.parent / 'sphinx_briefing'


def extracted() -> set[str]:
    return {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), method_map=[('**.py', 'python')], keywords={'_': None, '__': None}
        )
    }


def catalogue(language: str) -> Any:
    with (LOCALE_DIR / language / 'LC_MESSAGES' / f'{MESSAGE_CATALOG_NAME}.po').open(
        'rb'
    ) as stream:
        return read_po(stream, locale=language)


def test_template_is_up_to_date_with_the_code() -> None:
    with (LOCALE_DIR / f'{MESSAGE_CATALOG_NAME}.pot').open('rb') as stream:
        template = {message.id for message in read_po(stream) if message.id}
    assert template == extracted(), 'run: python -m sphinx_briefing.locale'


def test_japanese_catalogue_is_complete_and_well_formed() -> None:
    ja = catalogue('ja')
    translated = {message.id: message.string for message in ja if message.id}
    assert set(translated) == extracted()
    assert all(translated.values()), [k for k, v in translated.items() if not v]
    assert not ja.fuzzy
    # Placeholders (%s, %(needed)d …) match between message and translation.
    problems = [(message.id, errors) for message, errors in ja.check() if errors]
    assert problems == []


def test_catalogue_compiles_once_into_a_cache(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv('SPHINX_BRIEFING_CACHE', str(tmp_path))
    first = compiled_locale_dir()
    mo = first / 'ja' / 'LC_MESSAGES' / f'{MESSAGE_CATALOG_NAME}.mo'
    assert mo.is_file()
    stamp = mo.stat().st_mtime_ns
    assert compiled_locale_dir() == first
    assert mo.stat().st_mtime_ns == stamp


def test_a_japanese_build_writes_japanese_labels(project: Any) -> None:
    proj = project('test-twin-md')
    proj.write('conf.py', MYST_CONF + "language = 'ja'\n")
    (proj.path / 'book.md').write_text(
        '---\norphan: true\n---\n# Book\n\n```{run-of-show}\n```\n\n```{position-matrix}\n```\n',
        encoding='utf-8',
    )
    build = proj.build()
    assert build.warnings() == []
    themes = BeautifulSoup(build.html('themes'), 'html.parser')
    header = themes.select_one('div.briefing-question p.briefing-header').get_text(' ', strip=True)
    assert header.startswith('Q1 · 宛先：')
    assert '8分' in header and '主要' in header
    assert themes.select_one('span.briefing-stance').get_text() == '+ 賛成'
    index = BeautifulSoup(build.html('questions'), 'html.parser')
    assert [th.get_text() for th in index.select('table thead th')][:3] == ['番号', '質問', '宛先']
    panel = BeautifulSoup(build.html('index'), 'html.parser').select_one('div.briefing-panel')
    assert '2019年11月20日水曜日' in panel.get_text()
    book = BeautifulSoup(build.html('book'), 'html.parser').get_text(' ', strip=True)
    assert '時刻' in book and '凡例：' in book


def test_warnings_are_translated_for_a_japanese_console() -> None:
    from sphinx import locale

    from sphinx_briefing.locale import __

    key = ('console', MESSAGE_CATALOG_NAME)
    saved = locale.translators.pop(key, None)
    try:
        locale.init([str(compiled_locale_dir())], 'ja', MESSAGE_CATALOG_NAME, 'console')
        assert str(__('unknown citation key %r')) == '未知の引用キー %r'
    finally:
        locale.translators.pop(key, None)
        if saved is not None:
            locale.translators[key] = saved


def test_japanese_ids_topics_and_readings(project: Any) -> None:
    proj = project()
    proj.write('conf.py', MYST_CONF + "language = 'ja'\n")
    proj.write(
        'index.md',
        '# 説明資料\n\n'
        ':::{panel} 輸出管理\n:title: 知的財産・輸出管理\n:moderator: 森\n:panellists: 石川\n:::\n\n'
        ':::{participant} 森\n:name: 森 恵子\n:reading: もり けいこ\n:::\n\n'
        ':::{participant} 石川\n:name: 石川 直樹\n:reading: いしかわ なおき\n:::\n\n'
        '## 軍民融合\n\n:::{question} 投資審査\n:to: 石川\n:minutes: 7\n\n外国投資の規制をどう強化すべきか。\n:::\n\n'
        '## 研究と産業スパイ\n\n:::{question} 研究保全\n:to: 石川\n\n国際協力を続けつつ何をすべきか。\n:::\n\n'
        '{question}`投資審査` と {participant}`石川` を参照。\n\n'
        '```{question-index}\n```\n\n```{panellist-brief} 石川\n```\n',
    )
    build = proj.build()
    assert build.warnings() == []
    soup = BeautifulSoup(build.html('index'), 'html.parser')
    groups = [
        rubric.get_text() for rubric in soup.select('div.briefing-question-index p.briefing-group')
    ]
    assert groups == ['軍民融合', '研究と産業スパイ']
    see = next(p for p in soup.select('div.body p') if p.get_text().endswith('を参照。'))
    links = [a.get_text() for a in see.select('a.reference')]
    assert links == ['Q1', '石川 直樹']
    brief = soup.select_one('div.briefing-panellist-brief').get_text(' ', strip=True)
    assert '読み： いしかわ なおき' in brief
    assert '外国投資の規制をどう強化すべきか。' in brief
