"""The words in the lessons' plots, in the notebook's language: ``T("Loss over (w, b)")``.

The lessons' code is written once, in English, and the Chinese edition
(``notebooks/zh-CN/``) runs the same code: its first code cell sets memograd's language
(``autograd.set_language("zh-CN")``), so memograd prints in Chinese, and ``T`` looks a
plot's title, axis label or legend entry up in the lessons' catalog for that language,
``notebooks/locale/<ll_CC>/LC_MESSAGES/lessons.po`` (which also holds the translated
markdown cells; ``python notebooks/build.py --extract`` adds new texts to it). In English,
or for a text not translated yet, ``T`` returns the text itself.

In Chinese, matplotlib is also made able to draw it (when this module is imported, and
at the first translated text): an installed CJK font (Noto Sans CJK, Source Han Sans,
WenQuanYi, ...) is added after matplotlib's own font, so Latin text looks as before and
Chinese characters come from the CJK font. Without one, a warning says so once and the
characters are drawn as empty boxes; the lesson still runs.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

from autograd import get_language
from autograd.i18n import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "lessons"

CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
             "Hiragino Sans GB", "Heiti SC", "Arial Unicode MS")
"""Fonts with Simplified Chinese glyphs, the preferred first (Debian's fonts-noto-cjk first)."""


def catalog_path(lang: str) -> Path:
    """Where the lessons' ``.po`` catalog of ``lang`` (``"zh-CN"``) is."""
    return LOCALE_DIR / lang.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(lang: str) -> dict[str, str]:
    """English text -> translation, for every translated (and not fuzzy) entry of ``lang``."""
    path = catalog_path(lang)
    if lang == "en" or not path.exists():
        return {}
    return {m.msgid: m.msgstr[0] for m in read_po(path.read_text("utf-8"), str(path))
            if m.msgid and m.translated}


def T(text: str) -> str:
    """``text``, English words in a plot, in memograd's current language (itself in
    English or when it has no translation yet). Fields such as ``{count}`` stay: fill
    them with ``.format()`` after translating."""
    translated = translations(get_language()).get(text, text)
    if translated != text:
        prepare_fonts()
    return translated


@functools.cache
def cjk_font() -> str | None:
    """The name of an installed font matplotlib can draw Chinese with, or None.

    matplotlib lists fonts once and caches the list, so a font installed after that (say
    ``apt-get install fonts-noto-cjk`` on a machine that already ran matplotlib) is not
    in it: system font files missing from the list are added before giving up.
    """
    from matplotlib import font_manager

    manager = font_manager.fontManager
    found = {f.name for f in manager.ttflist}
    if not found & set(CJK_FONTS):
        known = {f.fname for f in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # a font file it cannot read
                    continue
        found = {f.name for f in manager.ttflist}
    return next((name for name in CJK_FONTS if name in found), None)


def use_cjk_font() -> str | None:
    """Let matplotlib fall back to a CJK font for characters its own font lacks; the
    font's name, or None when there is none."""
    from matplotlib import rcParams

    name = cjk_font()
    if name is not None and name not in rcParams["font.family"]:
        rcParams["font.family"] = [*rcParams["font.family"], name]
    return name


@functools.cache
def prepare_fonts() -> None:
    """Once: let matplotlib draw Chinese, or say that it cannot (one warning instead of
    matplotlib's one per missing character)."""
    if use_cjk_font() is None:
        warnings.warn("no font with Chinese characters is installed (e.g. Debian's "
                      "fonts-noto-cjk): the plots' Chinese text is drawn as empty boxes",
                      stacklevel=3)
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")


if get_language() != "en":  # before the lesson's first figure: its tick labels too
    prepare_fonts()
