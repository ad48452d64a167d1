"""Reading articles from files and directories.

Formats, by file ending:
- `.txt`, `.md`: one article. A first line ` date YYYY-MM-DD (SOURCE) ...` (the seed format)
  gives the date and source; the rest of that line starts the body.
- `.html`, `.htm`: one article; the main text and metadata are extracted with trafilatura.
- `.jsonl`: one article a line, with `id, title, date, source, url, text`.

A file's article id is its file name without the ending, so editing the file updates the
article instead of adding a new one. Every problem becomes a `LoadError` naming the file
(and line), and loading goes on with the next record.
"""

import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import trafilatura

from service.domain import Article, LoadError
from service.loading.cleaning import parse_date
from service.loading.records import RecordError, article_from_record, build_article
from service.text import checked_text

_SEED_DATE_LINE = re.compile(
    r"^\s*date[ \t]+(?P<date>\S+)[ \t]*(?:\((?P<source>[^)\n]*)\))?[ \t]*", re.IGNORECASE
)

Loaded = Article | LoadError


def load_paths(paths: Iterable[Path], *, max_bytes: int) -> Iterator[Loaded]:
    """Every article under the given files and directories (walked recursively, in name order)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if not hidden and child.suffix.lower() in _LOADERS:
                    yield from _load_file(child, max_bytes=max_bytes)
        elif path.is_file():
            if path.suffix.lower() in _LOADERS:
                yield from _load_file(path, max_bytes=max_bytes)
            else:
                known = ", ".join(sorted(_LOADERS))
                yield LoadError(str(path), f"unsupported file type (known: {known})")
        else:
            yield LoadError(str(path), "no such file or directory")


def _load_file(path: Path, *, max_bytes: int) -> Iterator[Loaded]:
    loader = _LOADERS[path.suffix.lower()]
    try:
        yield from loader(path, max_bytes)
    except OSError as error:
        yield LoadError(str(path), f"cannot read: {error.strerror or error}")


def _load_single(
    parse: Callable[[str, str, int], Article],
) -> Callable[[Path, int], Iterator[Loaded]]:
    """Wrap a one-article parser with the size limit, UTF-8 decoding and error reporting."""

    def load(path: Path, max_bytes: int) -> Iterator[Loaded]:
        size = path.stat().st_size
        if size > max_bytes:
            yield LoadError(str(path), f"file is {size:,} bytes, over the {max_bytes:,} limit")
            return
        try:
            content = _decode(path.read_bytes())
            yield parse(content, path.stem, max_bytes)
        except RecordError as error:
            yield LoadError(str(path), str(error))

    return load


def _parse_text(content: str, article_id: str, max_bytes: int) -> Article:
    header = _SEED_DATE_LINE.match(content)
    if not header:
        return build_article(text=content, max_bytes=max_bytes, article_id=article_id)
    try:
        published = parse_date(header["date"])
    except ValueError as error:
        raise RecordError(str(error)) from None
    return build_article(
        text=content[header.end() :],
        max_bytes=max_bytes,
        article_id=article_id,
        published=published,
        source=header["source"],
    )


def parse_html(content: str, article_id: str, max_bytes: int) -> Article:
    extracted = trafilatura.bare_extraction(content, with_metadata=True, favor_recall=True)
    if extracted is None or not extracted.text:
        raise RecordError("no article text found in the HTML")
    try:
        published = parse_date(extracted.date)
    except ValueError:
        published = None  # page metadata is often odd; an unknown date beats a lost article
    return build_article(
        # trafilatura puts one newline between blocks; a blank line keeps them paragraphs.
        text=extracted.text.replace("\n", "\n\n"),
        max_bytes=max_bytes,
        article_id=article_id,
        title=extracted.title,
        published=published,
        source=extracted.sitename,
        url=extracted.url,
    )


def _load_jsonl(path: Path, max_bytes: int) -> Iterator[Loaded]:
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            where = f"{path}:{number}"
            if not raw.strip():
                continue
            try:
                record = json.loads(_decode(raw))
                yield article_from_record(record, max_bytes=max_bytes)
            except json.JSONDecodeError as error:
                yield LoadError(where, f"malformed JSON: {error.msg} (column {error.colno})")
            except RecordError as error:
                yield LoadError(where, str(error))


def _decode(raw: bytes) -> str:
    """The bytes as checked text (UTF-8 cannot hold a surrogate, so this never refuses one)."""
    try:
        return checked_text(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise RecordError(
            f"not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})"
        ) from None


_LOADERS: dict[str, Callable[[Path, int], Iterator[Loaded]]] = {
    ".txt": _load_single(_parse_text),
    ".md": _load_single(_parse_text),
    ".html": _load_single(parse_html),
    ".htm": _load_single(parse_html),
    ".jsonl": _load_jsonl,
}
