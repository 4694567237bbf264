"""Bounded lines: a file read by blocks gives the lines ``readline`` would (line ends kept,
"\\n", "\\r\\n" or "\\r"), numbered as in the file, a line too long replaced by a blank one and
reported with its number, whatever the block boundaries."""

from __future__ import annotations

import io
import itertools

import pytest

from accelerator.core import textfiles
from accelerator.core.textfiles import MAX_LINE_CHARS, bounded_blocks, bounded_lines


def read(text: str, first: int = 2):
    reported: list[int] = []
    stream = io.StringIO(text, newline="")
    blocks = bounded_blocks(stream, first, reported.append)
    return list(itertools.chain.from_iterable(blocks)), reported


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64, 1 << 16])
def test_lines_and_their_ends_are_those_of_the_file(monkeypatch, block):
    monkeypatch.setattr(textfiles, "BLOCK_CHARS", block)
    text = "a;b\r\nc;d\re\nf;\x0cg\n\r\n\nlast"
    lines, reported = read(text)
    assert lines == ["a;b\r\n", "c;d\r", "e\n", "f;\x0cg\n", "\r\n", "\n", "last"]
    assert reported == []


@pytest.mark.parametrize("block", [5, 100, 8192, 1 << 16])
@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_a_line_too_long_is_a_blank_line_reported_with_its_number(monkeypatch, block, end):
    monkeypatch.setattr(textfiles, "BLOCK_CHARS", block)
    fits = "x" * MAX_LINE_CHARS
    text = end.join(["un", "y" * (MAX_LINE_CHARS + 1), fits, "z" * 100_000, "deux", ""])
    lines, reported = read(text, first=2)
    assert lines == ["un" + end, "\n", fits + end, "\n", "deux" + end]
    assert reported == [3, 5]


def test_a_last_line_too_long_without_end_is_reported(monkeypatch):
    monkeypatch.setattr(textfiles, "BLOCK_CHARS", 1000)
    lines, reported = read("un\n" + "w" * 20_000, first=1)
    assert lines == ["un\n", "\n"] and reported == [2]


def test_bounded_lines_gives_the_same_lines():
    text = "a\r\nb\n" + "q" * 9000 + "\nc"
    reported: list[int] = []
    lines = list(bounded_lines(io.StringIO(text, newline=""), 1, reported.append))
    assert lines == ["a\r\n", "b\n", "\n", "c"] and reported == [3]
