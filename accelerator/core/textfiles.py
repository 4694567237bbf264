"""Text files people upload (CSV evidence, attendance imports): plausible CSV, bounded lines.

A text with a delimiter on its first line is not yet a CSV: HTML, SVG and JavaScript have
commas too. A plausible CSV has no markup, and the same number of fields (two or more) on
each of its first lines, as the csv module reads them (quoted fields may hold delimiters and
line breaks).

Lines are read with a bound, so a file of one endless line costs constant memory and a
clear message, never the csv module's "field larger than field limit" deep in a request.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from typing import IO

#: delimiters a CSV may use, in order of preference when counts tie
DELIMITERS = ";,\t|"
#: lines compared for a consistent number of fields
SNIFFED_LINES = 20
#: longest line of an attendance import (or header of any CSV): far beyond 9 columns of data
MAX_LINE_CHARS = 8192
#: bytes of a file read to judge whether it is a CSV
HEAD_BYTES = 64 * 1024

#: markup no CSV starts with or holds in its first lines: HTML, SVG, XML, scripts
_MARKUP = re.compile(
    r"<\s*(?:!doctype|\?xml|html|head|body|svg|script|iframe|object|embed|style|meta|link|"
    r"img|a\s|div|form|math)\b|<!--|\bjavascript:",
    re.IGNORECASE,
)


def decode_head(head: bytes) -> str | None:
    """The start of a file as text: UTF-8 (BOM dropped), else Windows-1252; None with NUL.

    ``head`` may end in the middle of a UTF-8 character: that last character is dropped.
    """
    if b"\x00" in head:
        return None
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 3 and error.reason == "unexpected end of data":
            return head[: error.start].decode("utf-8-sig", errors="strict")
    try:
        return head.decode("cp1252")
    except UnicodeDecodeError:  # 5 bytes have no Windows-1252 character
        return None


def header_delimiter(first_line: str) -> str:
    """The delimiter of a CSV, read from its header line (the most frequent one)."""
    return max(DELIMITERS, key=lambda d: (first_line.count(d), -DELIMITERS.index(d)))


def plausible_csv(text: str, complete: bool = True, consistent: bool = True) -> bool:
    """Whether ``text`` (a file, or its start when ``complete`` is false) looks like a CSV.

    No markup, no control character but tab and line breaks, a header of at most
    MAX_LINE_CHARS characters with two fields or more, and (when ``consistent``) the same
    number of fields on each of the first SNIFFED_LINES lines, blank lines aside. An import,
    which reports its bad lines one by one, asks for the header only.
    """
    if _MARKUP.search(text):
        return False
    if any(ord(c) < 32 and c not in "\t\r\n" for c in text):
        return False
    first_line = text.split("\n", 1)[0]
    if not consistent:  # an import reports a header too long, or lines of other widths
        return any(delimiter in first_line for delimiter in DELIMITERS)
    if not complete:
        text = text[: max(text.rfind("\n"), 0)]  # the last line may be cut short
        first_line = text.split("\n", 1)[0]
    if not first_line.strip() or len(first_line) > MAX_LINE_CHARS:
        return False
    delimiter = header_delimiter(first_line)
    if delimiter not in first_line:
        return False
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    widths = set()
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                widths.add(len(row))
            if reader.line_num >= SNIFFED_LINES or len(widths) > 1:
                break
    except csv.Error:
        return False
    return len(widths) == 1 and widths.pop() >= 2


def looks_like_csv_file(stream: IO[bytes], consistent: bool = True) -> bool:
    """``plausible_csv`` on the start of a binary stream, which is rewound."""
    head = stream.read(HEAD_BYTES + 1)
    stream.seek(0)
    complete = len(head) <= HEAD_BYTES
    text = decode_head(head[:HEAD_BYTES])
    return text is not None and plausible_csv(text, complete=complete, consistent=consistent)


def read_header(text: IO[str]) -> str | None:
    """The first line of ``text``, or None when it is longer than MAX_LINE_CHARS."""
    line = text.readline(MAX_LINE_CHARS + 1)
    if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
        return None
    return line


#: after each line end: "\n", "\r\n", or a "\r" alone (how ``newline=""`` reads lines)
_AFTER_LINE_END = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")
#: the other characters ``str.splitlines`` also ends lines at
_OTHER_LINE_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _split_lines(text: str) -> list[str]:
    """``text`` cut after each line end, as ``readline`` with ``newline=""`` would."""
    if _OTHER_LINE_BREAKS.search(text):
        return _AFTER_LINE_END.split(text)
    lines = text.splitlines(keepends=True)
    if not lines or lines[-1].endswith(("\n", "\r")):
        lines.append("")  # the (empty) start of the next line
    return lines


#: characters read at once by ``bounded_lines``
BLOCK_CHARS = 1 << 16


def bounded_lines(
    text: IO[str], first_number: int, too_long: Callable[[int], None]
) -> Iterator[str]:
    """The lines of ``text`` for ``csv.reader``, each at most MAX_LINE_CHARS long (its end
    not counted).

    A longer line is skipped in bounded reads, reported with ``too_long(its number)`` and
    replaced by a blank line, so the csv reader's line numbers stay those of the file.
    The text is read by blocks, cut into lines at C speed: iterate over
    ``itertools.chain.from_iterable(bounded_blocks(...))`` for a fast reader.
    """
    for block in bounded_blocks(text, first_number, too_long):
        yield from block


def bounded_blocks(
    text: IO[str], first_number: int, too_long: Callable[[int], None]
) -> Iterator[list[str]]:
    """``bounded_lines`` by lists of lines (one per block read)."""
    number = first_number
    carry = ""  # the start of a line whose end is in a block not read yet
    skipping = False  # within a line too long: what comes before its end is dropped
    while block := text.read(BLOCK_CHARS):
        if block.endswith("\r"):
            block += text.read(1)  # "\r\n" is one line end, even across blocks
        if skipping:
            end = _first_line_end(block)
            if end is None:
                continue
            block, skipping = block[end:], False
        lines = _split_lines(carry + block)
        carry = lines.pop()
        if lines and max(map(len, lines)) > MAX_LINE_CHARS:
            for index, line in enumerate(lines):
                if len(line.rstrip("\r\n")) > MAX_LINE_CHARS:
                    too_long(number + index)
                    lines[index] = "\n"
        number += len(lines)
        if len(carry) > MAX_LINE_CHARS:
            too_long(number)
            lines.append("\n")
            number += 1
            carry, skipping = "", True
        yield lines
    if carry:
        yield [carry]


def _first_line_end(block: str) -> int | None:
    """Where the text after the first line end of ``block`` starts (None: no line end)."""
    ends = [i for i in (block.find("\n"), block.find("\r")) if i >= 0]
    if not ends:
        return None
    end = min(ends)
    return end + 2 if block.startswith("\r\n", end) else end + 1
