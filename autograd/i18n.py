"""What a learner reads, in their language: English, Simplified Chinese (``zh-CN``) or
Traditional Chinese as written in Taiwan (``zh-TW``).

Every such text goes through ``_()`` (``ngettext()`` when it depends on a count); its
English text is the message id, so English needs no catalog. The translations are
standard gettext catalogs, ``autograd/locale/<ll_CC>/LC_MESSAGES/memograd.po``, read
here without any system tool: parsed, compiled to ``.mo`` bytes in memory and handed
to ``gettext.GNUTranslations`` (plural rules from the catalog's header included).
``tools/extract_messages.py`` rewrites ``memograd.pot`` from the ``_()`` calls.

The language, first that applies:

1. a ``lang=`` argument (``walkthrough(loss, lang="zh-CN")``);
2. ``set_language()`` / ``with use_language(...)``, for this thread or asyncio task
   only (a ``ContextVar``, like ``no_grad``);
3. the environment variable ``MEMOGRAD_LANG``;
4. the locale: the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set
   (``zh_CN``, ``zh_SG``, ``zh`` -> zh-CN; ``zh_TW``, ``zh_HK`` -> zh-TW);
5. English.

>>> with use_language("zh-TW"): print(_("legend"))
圖例

Exceptions stay English, as the rest of the ecosystem's do: only what is printed or
shown is translated. ``display_width`` measures text as a terminal shows it (a
Chinese character takes two columns), for tables that line up.
"""

from __future__ import annotations

import functools
import gettext
import io
import os
import re
import string
import struct
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

LANGUAGES = ("en", "zh-CN", "zh-TW")
"""The languages memograd speaks; English is the source text of every message."""

ENV_VAR = "MEMOGRAD_LANG"
DOMAIN = "memograd"
LOCALE_DIR = Path(__file__).parent / "locale"

_FOLDERS = {"zh-CN": "zh_CN", "zh-TW": "zh_TW"}
"""Each translated language's folder under ``locale/``, named as gettext names locales."""

_current: ContextVar[str | None] = ContextVar("memograd_language", default=None)
"""The language chosen for this thread or task; None: the environment decides."""


def normalize_language(lang: str) -> str:
    """``lang`` as one of ``LANGUAGES``, case and ``_`` / ``-`` aside (``zh_cn`` is
    ``zh-CN``). ValueError naming the languages for anything else.

    >>> normalize_language("zh_tw")
    'zh-TW'
    """
    if isinstance(lang, str):
        key = lang.strip().replace("_", "-").lower()
        for name in LANGUAGES:
            if name.lower() == key:
                return name
    raise ValueError(f"unknown language {lang!r}; the languages are {', '.join(LANGUAGES)}")


def language_of_locale(value: str) -> str:
    """The language a locale name asks for: ``zh_TW.UTF-8`` -> ``zh-TW``; Chinese of
    Taiwan, Hong Kong, Macau or in Traditional script is zh-TW, any other Chinese
    (``zh_CN``, ``zh_SG``, ``zh``) zh-CN, and everything else English.

    >>> language_of_locale("zh_HK.UTF-8"), language_of_locale("zh"), language_of_locale("C")
    ('zh-TW', 'zh-CN', 'en')
    """
    code = value.split(".")[0].split("@")[0].replace("-", "_").lower()
    parts = code.split("_")
    if parts[0] != "zh":
        return "en"
    return "zh-TW" if {"tw", "hk", "mo", "hant"} & set(parts[1:]) else "zh-CN"


def _environment_language() -> str:
    """The language the environment asks for: MEMOGRAD_LANG, else the locale, else English."""
    chosen = os.environ.get(ENV_VAR, "").strip()
    if chosen:
        try:
            return normalize_language(chosen)
        except ValueError:
            raise ValueError(f"{ENV_VAR}={chosen!r} is not a language memograd speaks; "
                             f"the languages are {', '.join(LANGUAGES)}") from None
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):  # POSIX precedence: the first set wins
        value = os.environ.get(variable)
        if value:
            return language_of_locale(value)
    return "en"


def get_language(lang: str | None = None) -> str:
    """The language to speak: ``lang`` if given, else the one set for this thread or
    task, else the environment's (see the module's docstring)."""
    if lang is not None:
        return normalize_language(lang)
    chosen = _current.get()
    return chosen if chosen is not None else _environment_language()


def set_language(lang: str | None) -> None:
    """Speak ``lang`` (``"en"``, ``"zh-CN"``, ``"zh-TW"``) from now on in this thread
    or asyncio task; ``None`` goes back to ``MEMOGRAD_LANG`` and the locale.

    >>> set_language("zh-CN"); get_language()
    'zh-CN'
    >>> set_language(None)
    """
    _current.set(None if lang is None else normalize_language(lang))


@contextmanager
def use_language(lang: str | None) -> Iterator[str]:
    """Inside the block, speak ``lang`` (None: keep the language in force); yields it.
    The functions that take ``lang=`` run their body in such a block. The language is
    resolved once, on entry: the many ``_()`` calls of a long table inside the block
    then skip reading the environment."""
    chosen = get_language(lang)
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


# -- translating ------------------------------------------------------------------------


def _(message: str) -> str:
    """``message`` in the current language (itself in English, or when untranslated)."""
    return translations(get_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the count ``n``, in the current language."""
    return translations(get_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it now (a constant that
    is translated where it is shown, with ``_(constant)``)."""
    return message


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of ``lang``, read once: English is the messages themselves."""
    lang = normalize_language(lang)
    if lang == "en":
        return gettext.NullTranslations()
    path = catalog_path(lang)
    return gettext.GNUTranslations(io.BytesIO(compile_mo(read_po(path.read_text("utf-8")))))


def catalog_path(lang: str) -> Path:
    """Where the ``.po`` file of a translated language is."""
    return LOCALE_DIR / _FOLDERS[normalize_language(lang)] / "LC_MESSAGES" / f"{DOMAIN}.po"


# -- .po files, read without msgfmt ----------------------------------------------------------


@dataclass
class Message:
    """One entry of a ``.po`` file: a message and its translation (``msgstr``, one
    string per plural form), with the flags (``fuzzy``, ``python-brace-format``),
    comments and source references around it."""

    msgid: str
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=lambda: [""])
    context: str | None = None
    flags: set[str] = field(default_factory=set)
    comments: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return self.context, self.msgid

    @property
    def translated(self) -> bool:
        """True when every form has a translation and none is marked fuzzy."""
        return "fuzzy" not in self.flags and all(self.msgstr)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(text: str, where: str) -> str:
    """A quoted ``.po`` string's value (C escapes)."""
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{where}: expected a quoted string, got {text!r}")

    def unescape(match: re.Match[str]) -> str:
        if match.group(1) not in _ESCAPES:
            raise ValueError(f"{where}: unknown escape \\{match.group(1)}")
        return _ESCAPES[match.group(1)]

    return re.sub(r"\\(.)", unescape, text[1:-1])


def read_po(text: str, name: str = "catalog") -> list[Message]:
    """The messages of a ``.po`` file's text, the header (msgid ``""``) first if it has
    one; obsolete entries (``#~``) are left out. ValueError naming the line for
    anything it cannot read."""
    messages: list[Message] = []
    current: Message | None = None
    last: tuple[str, int] | None = None  # the field a continuation line adds to
    pending_comments: list[str] = []
    pending_refs: list[str] = []
    pending_flags: set[str] = set()

    def finish() -> None:
        nonlocal current
        if current is not None:
            messages.append(current)
        current = None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"{name}, line {number}"
        if not line:
            continue
        if line.startswith("#"):
            if current is not None and last is not None and last[0] == "msgstr":
                finish()  # comments start the next entry
            if line.startswith("#~"):
                continue
            if line.startswith("#,"):
                pending_flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            elif line.startswith("#:"):
                pending_refs += line[2:].split()
            elif line.startswith(("#.", "# ")) or line == "#":
                pending_comments.append(line[2:].strip() if len(line) > 1 else "")
            continue
        if line.startswith('"'):
            if current is None or last is None:
                raise ValueError(f"{where}: a string continues no keyword")
            value = _unquote(line, where)
            kind, index = last
            if kind == "msgctxt":
                current.context = (current.context or "") + value
            elif kind == "msgid":
                current.msgid += value
            elif kind == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + value
            else:
                current.msgstr[index] += value
            continue
        match = _KEYWORD.match(line)
        if not match:
            raise ValueError(f"{where}: cannot read {raw!r}")
        keyword, index_text, quoted = match.groups()
        value = _unquote(quoted, where)
        if keyword in ("msgctxt", "msgid") and (
                current is None or last is None or last[0] == "msgstr"):
            finish()
            current = Message("", flags=pending_flags, comments=pending_comments,
                              references=pending_refs)
            pending_comments, pending_refs, pending_flags = [], [], set()
        if current is None:
            raise ValueError(f"{where}: {keyword} before any msgid")
        if keyword == "msgctxt":
            current.context, last = value, ("msgctxt", 0)
        elif keyword == "msgid":
            current.msgid, last = value, ("msgid", 0)
        elif keyword == "msgid_plural":
            current.msgid_plural, last = value, ("msgid_plural", 0)
        else:
            index = int(index_text) if index_text else 0
            while len(current.msgstr) <= index:
                current.msgstr.append("")
            current.msgstr[index] = value
            last = ("msgstr", index)
    finish()
    return messages


def compile_mo(messages: list[Message]) -> bytes:
    """The ``.mo`` file of ``messages`` (as ``msgfmt`` writes it, without the optional
    hash table): untranslated and fuzzy entries are left out, the header kept."""
    entries: dict[bytes, bytes] = {}
    for m in messages:
        if m.msgid and not m.translated:
            continue
        key = m.msgid if m.msgid_plural is None else m.msgid + "\0" + m.msgid_plural
        if m.context is not None:
            key = m.context + "\x04" + key
        entries[key.encode("utf-8")] = "\0".join(m.msgstr).encode("utf-8")
    keys = sorted(entries)  # readers may binary-search the originals
    header_size = 7 * 4
    originals_at = header_size
    translations_at = originals_at + 8 * len(keys)
    data_at = translations_at + 8 * len(keys)
    tables: list[bytes] = [b"", b""]
    data = bytearray()
    for table, strings in enumerate(([k for k in keys], [entries[k] for k in keys])):
        for s in strings:
            tables[table] += struct.pack("<2I", len(s), data_at + len(data))
            data += s + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), originals_at, translations_at, 0, 0)
    return header + tables[0] + tables[1] + bytes(data)


# -- measuring text for terminals --------------------------------------------------------------


def display_width(text: str) -> int:
    """The columns ``text`` takes in a terminal: two for a wide or fullwidth character
    (Chinese, Japanese, Korean), none for a combining mark or a zero-width
    character, one for anything else.

    >>> display_width("权重"), display_width("w1"), display_width("e\u0301")
    (4, 2, 1)
    """
    if text.isascii():  # no wide, combining or zero-width character in ASCII
        return len(text)
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` columns (``str.ljust`` by display width).

    >>> pad("权重", 6) + "|", pad("w", 6) + "|"
    ('权重  |', 'w     |')
    """
    return text + " " * max(width - display_width(text), 0)


def cut(text: str, width: int) -> str:
    """The longest start of ``text`` that fits in ``width`` columns.

    >>> cut("权重和偏置", 5)
    '权重'
    """
    out = []
    used = 0
    for ch in text:
        w = display_width(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out)


def brace_fields(text: str) -> set[str]:
    """The ``{name}`` fields of a message (``str.format`` placeholders): a translation
    must use the same ones.

    >>> sorted(brace_fields("step {index} of {count}: {{not}} {name!r}"))
    ['count', 'index', 'name']
    """
    fields = set()
    for _text, name, _spec, _conversion in string.Formatter().parse(text):
        if name:
            fields.add(re.split(r"[.\[]", name)[0])
    return fields
