"""Keep memograd's message catalogs in step with the code.

    python tools/extract_messages.py          # rewrite memograd.pot, merge it into each .po
    python tools/extract_messages.py --check  # exit 1 if the .pot is stale or a message
                                              # lacks a translation

The messages are the string literals given to ``_()``, ``N_()`` and ``ngettext()`` in
``autograd/`` and ``nn/`` (``SOURCES``; found with ``ast``, so nothing is run); a comment
line starting with ``# Translators:`` just above the call goes to the translators.
Merging keeps every translation whose message is still in the code, adds the new
messages untranslated and keeps the ones gone from the code at the end as obsolete
(``#~``) entries, so a translator can reuse them. No gettext tool is needed.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograd.i18n import (  # noqa: E402 - after the path is set
    _FOLDERS,
    DOMAIN,
    LOCALE_DIR,
    Message,
    brace_fields,
    read_po,
)

POT = LOCALE_DIR / f"{DOMAIN}.pot"
SOURCES = ("autograd", "nn")
"""The packages whose messages are in the catalog: ``nn`` translates what it shows
(``History.plot``, ``fit``'s progress bar) with ``autograd.i18n._``, from the same catalog."""
CALLS = {"_": 1, "N_": 1, "ngettext": 2}
"""The marking functions and how many of their first arguments are messages."""

POT_HEADER = (
    "# The messages of memograd, the teaching autodiff engine: what a learner reads.\n"
    "# Made by tools/extract_messages.py from the _(), N_() and ngettext() calls; do not edit.\n"
)
HEADER_FIELDS = ("Project-Id-Version: memograd\n"
                 "MIME-Version: 1.0\n"
                 "Content-Type: text/plain; charset=UTF-8\n"
                 "Content-Transfer-Encoding: 8bit\n")


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def extract(root: Path = ROOT) -> list[Message]:
    """The messages of the code in ``SOURCES``, in the order they first appear (files by
    path, ``autograd/`` first); a message marked in several places lists each file once."""
    found: dict[tuple[str, str | None], Message] = {}
    paths = [path for package in SOURCES for path in sorted((root / package).rglob("*.py"))]
    for path in paths:
        source = path.read_text("utf-8")
        lines = source.splitlines()
        where = path.relative_to(root).as_posix()
        calls = [node for node in ast.walk(ast.parse(source, str(path)))
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                 and node.func.id in CALLS]
        for node in sorted(calls, key=lambda c: (c.lineno, c.col_offset)):  # source order
            assert isinstance(node.func, ast.Name)
            args = node.args[: CALLS[node.func.id]]
            if any(isinstance(a, ast.JoinedStr) for a in args):
                raise SystemExit(f"{where}:{node.lineno}: an f-string in {node.func.id}(): "
                                 "use {name} fields and .format() so it can be translated")
            texts = [_literal(a) for a in args]
            if None in texts or len(texts) < CALLS[node.func.id]:
                continue  # _(variable): a message marked elsewhere with N_()
            msgid, plural = texts[0], (texts[1] if len(texts) > 1 else None)
            assert msgid is not None
            message = found.setdefault((msgid, plural), Message(msgid, plural))
            message.msgstr = [""] * (2 if plural else 1)
            if where not in message.references:
                message.references.append(where)
            if brace_fields(msgid):
                message.flags.add("python-brace-format")
            message.comments += [c for c in _translator_comments(lines, node.lineno)
                                 if c not in message.comments]
    return list(found.values())  # a dict keeps the order messages were first found in


def _translator_comments(lines: list[str], lineno: int) -> list[str]:
    """The ``# Translators:`` comment lines just above line ``lineno`` (1-based)."""
    comments: list[str] = []
    k = lineno - 2
    while k >= 0 and lines[k].strip().startswith("#"):
        comments.insert(0, lines[k].strip().lstrip("#").strip())
        k -= 1
    start = next((i for i, c in enumerate(comments) if c.startswith("Translators:")), None)
    return comments[start:] if start is not None else []


def _quoted(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
               .replace("\r", "\\r").replace("\n", "\\n"))
    return f'"{escaped}"'


def _field(keyword: str, text: str, prefix: str = "") -> str:
    """``msgid "..."``; a text with newlines as ``msgid ""`` and one line per piece."""
    if "\n" not in text.rstrip("\n") or not text:
        return f"{prefix}{keyword} {_quoted(text)}\n"
    pieces = text.splitlines(keepends=True)
    return f'{prefix}{keyword} ""\n' + "".join(f"{prefix}{_quoted(p)}\n" for p in pieces)


def entry_text(m: Message, obsolete: bool = False) -> str:
    """One ``.po`` entry."""
    out = [f"#. {c}\n" for c in m.comments]
    if m.references and not obsolete:
        out.append("#: " + " ".join(m.references) + "\n")
    if m.flags:
        out.append("#, " + ", ".join(sorted(m.flags)) + "\n")
    prefix = "#~ " if obsolete else ""
    if m.context is not None:
        out.append(_field("msgctxt", m.context, prefix))
    out.append(_field("msgid", m.msgid, prefix))
    if m.msgid_plural is None:
        out.append(_field("msgstr", m.msgstr[0], prefix))
    else:
        out.append(_field("msgid_plural", m.msgid_plural, prefix))
        out += [_field(f"msgstr[{i}]", s, prefix) for i, s in enumerate(m.msgstr)]
    return "".join(out)


def pot_text(messages: list[Message]) -> str:
    """The template: every message, untranslated."""
    header = Message("", msgstr=[HEADER_FIELDS])
    return POT_HEADER + "\n".join(entry_text(m) for m in [header, *messages])


def merged_po(po_text: str, messages: list[Message]) -> str:
    """A ``.po`` file updated to ``messages``: its header and comments on top kept,
    translations kept, new messages empty, gone ones obsolete at the end."""
    old = read_po(po_text)
    header = next((m for m in old if m.msgid == ""), None)
    if header is None:
        raise SystemExit("a .po file without a header (msgid \"\"): add Language and "
                         "Plural-Forms")
    known = {(m.msgid, m.msgid_plural): m for m in old if m.msgid}
    nplurals = int(header.msgstr[0].split("nplurals=")[1].split(";")[0])
    out = []
    for m in messages:
        new = Message(m.msgid, m.msgid_plural, list(m.msgstr), m.context, set(m.flags),
                      list(m.comments), list(m.references))
        if m.msgid_plural is not None:
            new.msgstr = [""] * nplurals
        before = known.pop((m.msgid, m.msgid_plural), None)
        if before is not None:
            new.msgstr = before.msgstr
            new.flags |= before.flags & {"fuzzy"}
        out.append(new)
    top = [line + "\n" for line in po_text.splitlines() if line.startswith("# ")]
    header_entry = entry_text(Message("", msgstr=header.msgstr, flags=header.flags))
    gone = [entry_text(m, obsolete=True) for m in known.values() if any(m.msgstr)]
    return "".join(top) + "\n".join([header_entry, *(entry_text(m) for m in out), *gone])


def problems(root: Path = ROOT) -> list[str]:
    """What is out of step: a stale .pot, .po files lacking messages or translations,
    translations whose {fields} differ from the message's."""
    messages = extract(root)
    found = []
    pot = root / POT.relative_to(ROOT)
    if not pot.exists() or pot.read_text("utf-8") != pot_text(messages):
        found.append(f"{pot.relative_to(root)} is out of date: run python "
                     "tools/extract_messages.py")
    for lang, folder in _FOLDERS.items():
        path = root / LOCALE_DIR.relative_to(ROOT) / folder / "LC_MESSAGES" / f"{DOMAIN}.po"
        catalog = {(m.msgid, m.msgid_plural): m for m in read_po(path.read_text("utf-8"),
                                                                  str(path))}
        for m in messages:
            t = catalog.get((m.msgid, m.msgid_plural))
            if t is None or not t.translated:
                found.append(f"{lang}: no translation for {m.msgid!r}")
                continue
            want = brace_fields(m.msgid) | brace_fields(m.msgid_plural or "")
            for s in t.msgstr:
                if brace_fields(s) != want:
                    found.append(f"{lang}: {s!r} has the fields {sorted(brace_fields(s))}, "
                                 f"not {sorted(want)} as {m.msgid!r}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 listing what is out of step")
    args = parser.parse_args(argv)
    if args.check:
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    messages = extract()
    POT.write_text(pot_text(messages), "utf-8")
    for lang, folder in _FOLDERS.items():
        path = LOCALE_DIR / folder / "LC_MESSAGES" / f"{DOMAIN}.po"
        path.write_text(merged_po(path.read_text("utf-8"), messages), "utf-8")
        missing = sum(1 for m in read_po(path.read_text("utf-8")) if m.msgid and not m.translated)
        print(f"{path.relative_to(ROOT)}: {missing} messages to translate ({lang})")
    print(f"{POT.relative_to(ROOT)}: {len(messages)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
