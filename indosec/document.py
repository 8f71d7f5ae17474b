"""Split an Indonesian online-news article into sentences, with character offsets into the
original text. Pure Python and regular expressions; no model, no download.

What real scraped articles contain, and what the splitter does with it:

- Line breaks end a sentence, so a headline without final punctuation is a sentence of its
  own. A line that does not end in punctuation and is followed by a line starting in lower
  case is a hard-wrapped sentence and is joined with it.
- A dateline at the start of a paragraph ("BAGHDAD, Limadetik.com —", "DAMASKUS -",
  "JAKARTA (Antara) -", "Liputan6.com, Jakarta -") is not part of the sentence.
- A sentence ends at `.`, `!`, `?` or an ellipsis (plus closing quotes or brackets) followed
  by space and a character that can open a sentence: a capital, a digit, an opening quote
  or bracket, or a letter of a script without case. Never after an abbreviation (Jl., No.,
  dr., H., Kec., Kab., a.n., S.H., Rp. ...). Numbers (2.050 orang, 1,5 juta), dates
  (1/9/2018) and domains (Limadetik.com) have no space after their dots, so never split.
- A quotation closed within its paragraph stays one sentence with its attribution
  ("Kami tidak mundur. Kami akan terus berjuang," kata dia.); an unclosed quotation does
  not hold the rest of the paragraph together.
- Boilerplate lines are dropped: "Baca Juga:" links (with the linked headline when it sits on
  the next line, Liputan6-style, or a bulleted list of them), "Editor :", "Penulis:", "Foto:",
  "SHARE THIS:", "Tags:", a bare "TAG" line and the short tag lines after it; credits such as
  "(ARN/Red)" or "(esn)" on their own line or after a paragraph's last sentence are cut.
- A sentence repeating an earlier one (scraped pages often repeat the lead paragraph) is
  returned once, at its first position. Pieces with no letter or digit ("***") are dropped.
- A piece longer than `max_chars` (a list without punctuation, a 1 MB paste) is cut at the
  last space before the limit, so the classifier always receives bounded input (the default,
  `indosec.lengths.MAX_SENTENCE_CHARS`, is part of the length policy).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from indosec.lengths import MAX_SENTENCE_CHARS
from indosec.text import normalize_text

# Lower-cased, without the final dot. Titles, ranks, addresses, units and Latin shorthand
# seen in Indonesian news; single letters (initials such as "H." or "M.") are handled apart.
ABBREVIATIONS = frozenset(
    """
    jl jln gg no nomor rt rw kec kab kel prov kp ds dsn blok
    dr drs dra ir prof hj bpk sdr sdri tn ny nn st sh se mm mh msi phd moh muh mhd dok
    kapt letkol kol mayjen brigjen jend jenderal irjen kombes akbp kompol akp iptu ipda aiptu pol purn inf mar
    bripka brigpol briptu bharada serka sertu serda praka kopda koptu pratu lettu letda
    mr mrs ms jr sr vs etc al
    dll dsb dst dkk sbb yth tgl hlm thn th bln kg km cm mm ha rp us tbk pt cv
    an ap ub up sd ttd
    """.split()
)
# Dotted shorthand made of short pieces: a.n. S.H. M.Si. Ph.D. s.d. (but not Limadetik.com).
_DOTTED = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}")
_SENTENCE_END = re.compile(r"(?:[.!?]+|…)[\"'”’»)\]]*(?=\s+(\S))")
_OPENERS = "\"'“‘«([-–—"
_BEFORE_NUMBER = frozenset({"hal"})
_LIST_NUMBER = re.compile(r"\s*\d{1,2}\.")
MAX_HEADLINE_WORDS = 20

_LINE = re.compile(r"[^\r\n\u2028\u2029]+")
_TERMINAL = tuple(".!?…:;\"'”’»)]")
_BOILERPLATE = re.compile(
    r"""^\W*(?:
        baca\s+(?:juga|pula)|simak\s+juga|lihat\s+juga|artikel\s+terkait|berita\s+terkait
      | (?:editor|penulis|reporter|pewarta|penyunting|redaktur|sumber|foto|fotografer|video|caption)\s*:
      | (?:kontributor|red|penerjemah|terjemah|kolumnis|infografis|oleh|pilihan\s+editor|baca)\s*:
      | (?:penulis|reporter|editor)\s+[^|:]{2,40}\|          # "Penulis Ani | Editor Budi"
      | \(?penulis\s+adalah\b | \*\) | tulisan\s+ini\s+(?:adalah|merupakan)\s+(?:opini|pendapat|kiriman)
      | simak\s+(?:video|breaking|berita)\b | baca\s+artikel\b | dapatkan\s+update\b
      | ikuti\s+(?:berita|sputnik|update)\b | laporan\s+wartawan\b | diterjemahkan\s+(?:oleh|dari)\b
      | artikel\s+ini\s+telah\s+dibagikan\b | (?:enditem|selesai)\W*$
      | share\s+this | bagikan\s*: | tags?\s*: | copyright\b | ©
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_BARE_TAG = re.compile(r"^\W*tags?\W*$", re.IGNORECASE)
# Furniture that has a shape rather than a keyword: "REUTERS | AL JAZEERA", a section label or a
# reporter's name in capitals ("OPINI", "ANDITA RAHMA"), a bracketed channel header, a byline
# without a colon ("Oleh Yosef Kambu", "Kolom oleh Hendra Wijaya"; not "Oleh karena itu, ...").
_SHAPED_FURNITURE = re.compile(
    r"""^(?:[A-Z][A-Z .]+(?:\s*\|\s*[A-Z][A-Z .]+)+
      | [A-Z]+(?:\s[A-Z]+){0,2}
      | \[[^\]]*\]
      | (?i:kolom\s+)?(?i:oleh)\s+(?!(?i:karena|sebab|itu)\b)[^.!?]{2,80}
    )$""",
    re.VERBOSE,
)
# "Baca Juga:" alone on its line: the linked headline(s) follow on the next line(s)
_LINK_HEADER = re.compile(
    r"^\W*(?:baca\s+(?:juga|pula)|simak\s+juga|lihat\s+juga|artikel\s+terkait|berita\s+terkait)\W*$", re.IGNORECASE
)
_BULLET = tuple("•·*-–—►>")
MAX_LINK_WORDS = 25
_CREDIT = (
    r"\(\s*[^\W\d_*][\w*]{0,9}(?:\s*/\s*[\w*]{1,10}){0,3}\s*\)|\(\s*\*\s*\)"
    r"|\([^()]{0,20}\b(?i:foto|dok|photo|ist)\b[^()]{0,40}\)"  # (AP Photo), (Dok. Prokopim), (FOTO: RADAR LAMONGAN)
    r"|\([A-Za-z]{1,3}\.[A-Z]\d{3}(?:/[^()]{1,20})?\)"  # Antara: (Uu.G003), (T.G001/B. Kunto)
    r"|\([^\W\d_][^()]{0,25}/[^()]{1,25}\)"  # (IRIB Indonesia/PH), (tribun-medan.com/fbg)
)
_CREDIT_LINE = re.compile(rf"^\s*(?:{_CREDIT})\s*$")
_TRAILING_CREDIT = re.compile(rf"(?<=[.!?\"”’])\s*(?:{_CREDIT})\s*$")
_DATELINE = re.compile(r"^(?P<head>[^\s\"“][^\n]{0,60}?)\s*[-–—]{1,2}\s+(?=\S)")
# A place or outlet in title case, optionally ", Outlet": the dateline of Detik-style pages
_TITLE_CASE_PLACE = re.compile(r"[A-Z][\w'.]*(?: [A-Z][\w'.]*){0,3}(?:, [A-Z][\w'.]*(?: [A-Z][\w'.]*){0,2})?")
_DOMAIN = re.compile(r"\w\.(?:com|co|id|net|org|news|tv)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    """One sentence: `text == article[start:end]`."""

    start: int
    end: int
    text: str


def split_sentences(text: str, *, max_chars: int = MAX_SENTENCE_CHARS, dedupe: bool = True) -> list[Span]:
    """Sentences of an article in reading order, each with its offsets into `text`."""
    if not isinstance(text, str):
        raise TypeError(f"expected the article as a string, got {type(text).__name__}")
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    spans, seen = [], set()
    for block_start, block_end in _blocks(text):
        for start, end in _sentences_in_block(text, block_start, block_end):
            for piece_start, piece_end in _bounded(text, start, end, max_chars):
                piece = text[piece_start:piece_end]
                if not any(c.isalnum() for c in piece):
                    continue
                key = normalize_text(piece).casefold()
                if dedupe and key in seen:
                    continue
                seen.add(key)
                spans.append(Span(piece_start, piece_end, piece))
    return spans


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """Paragraph ranges: non-boilerplate lines, hard-wrapped lines joined."""
    block, last_line, in_tags, in_links = None, "", False, 0
    for m in _LINE.finditer(text):
        line = m.group().strip()
        if not line:
            continue
        # the headline after a bare "Baca Juga:" line (Liputan6-style), or a bulleted list of them
        in_links = in_links + 1 if in_links and _is_link_line(line, first=in_links == 1) else 0
        if in_links > 1:
            continue
        if _LINK_HEADER.match(line):
            in_links = 1
        if _BARE_TAG.match(line):
            in_tags = True
        # tag words after a bare "TAG" line: a few words each, no sentence punctuation
        is_tag = in_tags and len(line.split()) <= 4 and not line.endswith(_TERMINAL)
        furniture = _BOILERPLATE.match(line) or _CREDIT_LINE.match(line) or (len(line.split()) <= 12 and _SHAPED_FURNITURE.match(line))
        if is_tag or _BARE_TAG.match(line) or furniture:
            if block:
                yield block
            block = None
            continue
        in_tags = False
        wrapped = block and not last_line.endswith(_TERMINAL) and line[0].islower()
        last_line = line
        if wrapped:
            block = (block[0], m.end())
        else:
            if block:
                yield block
            block = (m.start(), m.end())
    if block:
        yield block


def _is_link_line(line: str, *, first: bool) -> bool:
    """A linked headline: a bullet item, or (right after the header) a short line without a final period."""
    return line.startswith(_BULLET) or (first and len(line.split()) <= MAX_LINK_WORDS and not line.endswith("."))


def _sentences_in_block(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    block = text[start:end]
    skip = _dateline_length(block)
    trailing = _TRAILING_CREDIT.search(block)
    stop = trailing.start() if trailing else len(block)
    if _is_headline(block):
        yield from _trimmed(text, start, start + stop)
        return
    quotes = _closed_quotes(block)
    quote_starts = [a for a, _ in quotes]
    cut = skip
    for m in _SENTENCE_END.finditer(block, skip, stop):
        if _LIST_NUMBER.fullmatch(block, cut, m.end()):
            continue  # "1. Pengepungan selama 18 bulan": the item's number, not a sentence
        i = bisect.bisect_left(quote_starts, m.end()) - 1  # last quotation opening before here
        inside_quote = i >= 0 and m.end() < quotes[i][1]
        if not inside_quote and _is_boundary(block, m):
            yield from _trimmed(text, start + cut, start + m.end())
            cut = m.end()
    yield from _trimmed(text, start + cut, start + stop)


def _is_headline(block: str) -> bool:
    """One line, a few words, no full stop at its end: a headline, whose "!" or "?" does not end
    a sentence ("BAQIYAH! Kabar Gembira dari Bumi Syam", "Apa yang Terjadi di El Fasher? Ini 5 Fakta")."""
    line = block.strip()
    return (
        "\n" not in line and len(line.split()) <= MAX_HEADLINE_WORDS
        and not line.endswith((".", "…", ":", "。", '"', "”", "'", "’")) and not re.search(r"[.。]\s*(?![a-z])\S", line)
    )


def _is_boundary(block: str, m: re.Match) -> bool:
    nxt = m.group(1)[0]
    if not (nxt.isupper() or nxt.isdigit() or nxt in _OPENERS or (nxt.isalpha() and not nxt.islower())):
        return False
    if not m.group().startswith(".") or m.group().startswith(".."):
        return True  # ! ? and ellipses are never abbreviations
    # abbreviations are short: the last 20 characters hold the word, and keep this linear
    before = block[max(0, m.start() - 20) : m.start()].split()
    word = before[-1].lstrip(_OPENERS) if before else ""
    if len(word) == 1 and word.isalpha():
        return False  # an initial: "H. Ahmad", "M. Yusuf"
    if word.casefold() in _BEFORE_NUMBER and nxt.isdigit():
        return False  # "hal. 12"; "tiga hal. Pertama" still ends
    return word.casefold() not in ABBREVIATIONS and not _DOTTED.fullmatch(word)


def _closed_quotes(block: str) -> list[tuple[int, int]]:
    """(open, close+1) of quotations closed inside this paragraph, sorted and merged so they
    do not overlap: straight quotes paired in order, curly and guillemet quotes by their
    direction. An unclosed one holds nothing."""
    spans = []
    straight = [i for i, c in enumerate(block) if c == '"']
    spans += [(straight[i], straight[i + 1] + 1) for i in range(0, len(straight) - 1, 2)]
    for opener, closer in (("“", "”"), ("«", "»")):
        pos = block.find(opener)
        while pos != -1:
            close = block.find(closer, pos + 1)
            if close == -1:
                break
            spans.append((pos, close + 1))
            pos = block.find(opener, close + 1)
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _dateline_length(block: str) -> int:
    """Characters of a leading dateline ("DAMASKUS - ", "Jakarta, CNN Indonesia -- ")."""
    m = _DATELINE.match(block)
    if not m:
        return 0
    head, rest = m.group("head"), block[m.end():]
    looks_like_dateline = (
        re.match(r"[A-Z]{3,}\b", head)  # BAGHDAD, DAMASKUS, KOMPAS.com
        or _DOMAIN.search(head)  # Liputan6.com, TEMPO.CO
        or re.search(r"\([^)]{2,30}\)", head)  # Jakarta (Antara)
        or ("," in head and re.search(r"\b[A-Z]{2,}\b", head))  # Jakarta, CNN Indonesia
        or (_TITLE_CASE_PLACE.fullmatch(head) and rest[:1].isupper())  # Jakarta, Teheran, ParsToday, Al Mayadeen Indonesia
    )
    sentence_like_head = re.search(r"[!?]|\.(?:\s|$)", head) or len(head.split()) > 8
    # an all-caps headline "BOM GUNCANG IDLIB - 16 TEWAS" has no lower-case text after the dash
    if looks_like_dateline and not sentence_like_head and re.search(r"[a-z]", rest):
        return m.end()
    return 0


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        yield start, end


def _bounded(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Cut an overlong piece at the last whitespace before each `max_chars` limit."""
    while end - start > max_chars:
        limit = start + max_chars
        space = max((text.rfind(c, start + 1, limit + 1) for c in " \t\n"), default=-1)
        cut = space if space > start else limit
        yield from _trimmed(text, start, cut)
        start = cut
    yield from _trimmed(text, start, end)
