"""Files the extension writes beside Sphinx's: whole or not at all."""

from __future__ import annotations

import filecmp
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def replacing(target: Path, *, text: bool = False, keep_if_same: bool = False) -> Iterator[IO[Any]]:
    """A file to write *target*'s new content to, which replaces *target* in one rename
    when the block ends: a reader, or a parallel build writing the same file, never sees
    half of it. The temporary name carries the process id for the same reason.

    With *keep_if_same*, a target that already holds exactly these bytes is left alone,
    time stamp included. If the block raises, the target stays as it was and the
    temporary file is removed.
    """
    partial = target.with_name(f'{target.name}.{os.getpid()}.tmp')
    try:
        with partial.open('w' if text else 'wb', encoding='utf-8' if text else None) as stream:
            yield stream
        filecmp.clear_cache()  # its cache trusts sizes and mtimes, which can repeat
        if keep_if_same and target.is_file() and filecmp.cmp(partial, target, shallow=False):
            partial.unlink()
        else:
            partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
