"""memograd in Simplified and Traditional Chinese: choosing the language, the catalogs
(complete, up to date, read without msgfmt), Chinese text that lines up, and every
learner-facing text of the library translated while exceptions stay English."""

import asyncio
import gettext
import io
import json
import re
import sys
import threading
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import column_starts, micrograd_neuron

import autograd
from autograd import Value, gradcheck, mistake, quiz, set_language, steps, walkthrough
from autograd.explain import step_through, trace_table
from autograd.explain.quiz import read_answer
from autograd.explain.text import step_lines
from autograd.expr import evaluate
from autograd.i18n import (
    LANGUAGES,
    _,
    catalog_path,
    compile_mo,
    cut,
    display_width,
    get_language,
    language_of_locale,
    pad,
    read_po,
    translations,
    use_language,
)
from autograd.viz import find_dot, quiz_page, render
from autograd.viz.dot import draw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import extract_messages  # noqa: E402 - tools/ is not a package

ENVIRONMENT = ("MEMOGRAD_LANG", "LC_ALL", "LC_MESSAGES", "LANG")
needs_renderer = pytest.mark.skipif(find_dot() is None, reason="no graphviz-pure or dot found")


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch):
    """No language from the environment and none set for the session, before and after."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    set_language(None)
    yield
    set_language(None)


def weighted_sum():
    """The issue's example with Chinese names: 权重*输入 + 偏置 at 权重=2, 输入=3, 偏置=1."""
    return evaluate("权重*输入 + 偏置", {"权重": 2.0, "输入": 3.0, "偏置": 1.0})


# -- choosing the language ------------------------------------------------------------


def test_english_without_any_setting():
    assert get_language() == "en"
    assert _("legend") == "legend"


@pytest.mark.parametrize(("locale", "lang"), [
    ("zh_CN.UTF-8", "zh-CN"), ("zh_SG.UTF-8", "zh-CN"), ("zh", "zh-CN"), ("zh_CN", "zh-CN"),
    ("zh_TW.UTF-8", "zh-TW"), ("zh_HK.UTF-8", "zh-TW"), ("zh_TW.Big5", "zh-TW"),
    ("en_US.UTF-8", "en"), ("C.UTF-8", "en"), ("POSIX", "en"), ("de_DE@euro", "en"),
])
@pytest.mark.parametrize("variable", ["LC_ALL", "LC_MESSAGES", "LANG"])
def test_each_locale_variable_chooses_the_language(monkeypatch, variable, locale, lang):
    monkeypatch.setenv(variable, locale)
    assert language_of_locale(locale) == lang
    assert get_language() == lang


def test_locale_variables_in_posix_order(monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("LC_MESSAGES", "zh_TW.UTF-8")
    assert get_language() == "zh-TW"  # LC_MESSAGES before LANG
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert get_language() == "en"  # LC_ALL before both
    monkeypatch.setenv("LC_ALL", "")
    assert get_language() == "zh-TW"  # an empty variable is not set


def test_the_environment_variable_before_the_locale(monkeypatch):
    monkeypatch.setenv("LC_ALL", "zh_TW.UTF-8")
    monkeypatch.setenv("MEMOGRAD_LANG", "zh-CN")
    assert get_language() == "zh-CN"
    monkeypatch.setenv("MEMOGRAD_LANG", "en")
    assert get_language() == "en"
    monkeypatch.setenv("MEMOGRAD_LANG", "zh_tw")  # the case and _ of locale names too
    assert get_language() == "zh-TW"


def test_set_language_before_the_environment_and_lang_before_both(monkeypatch):
    monkeypatch.setenv("MEMOGRAD_LANG", "zh-TW")
    set_language("zh-CN")
    assert get_language() == "zh-CN" and _("legend") == "图例"
    assert get_language("en") == "en"
    with use_language("zh-TW"):
        assert _("legend") == "圖例"
        with use_language(None):  # None keeps the language in force
            assert _("legend") == "圖例"
    assert _("legend") == "图例"
    set_language(None)  # back to the environment
    assert get_language() == "zh-TW"
    assert autograd.set_language is set_language and "set_language" in autograd.__all__


def test_an_unknown_language_is_refused_naming_the_languages(monkeypatch):
    message = "unknown language 'fr'; the languages are en, zh-CN, zh-TW"
    for call in (lambda: set_language("fr"), lambda: get_language("fr"),
                 lambda: quiz(Value(1.0), lang="fr"), lambda: trace_table(Value(1.0), lang="fr"),
                 lambda: draw(Value(1.0), lang="fr")):
        with pytest.raises(ValueError, match=re.escape(message)):
            call()
    assert get_language() == "en"  # a refused set_language changes nothing
    monkeypatch.setenv("MEMOGRAD_LANG", "klingon")
    with pytest.raises(ValueError, match="MEMOGRAD_LANG='klingon' is not a language memograd "
                                         "speaks; the languages are en, zh-CN, zh-TW"):
        get_language()
    assert LANGUAGES == ("en", "zh-CN", "zh-TW")


def test_each_thread_keeps_its_own_language():
    set_language("zh-TW")
    seen = {}
    ready = threading.Barrier(2)

    def worker(name, lang):
        seen[name, "start"] = get_language()  # a new thread starts from the environment
        set_language(lang)
        ready.wait()  # both have set theirs before either reads again
        seen[name, "end"] = (get_language(), _("legend"))

    threads = [threading.Thread(target=worker, args=("a", "zh-CN")),
               threading.Thread(target=worker, args=("b", "en"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {("a", "start"): "en", ("b", "start"): "en",
                    ("a", "end"): ("zh-CN", "图例"), ("b", "end"): ("en", "legend")}
    assert get_language() == "zh-TW"  # the main thread's is untouched


def test_each_asyncio_task_keeps_its_own_language():
    async def speak(lang):
        with use_language(lang):
            await asyncio.sleep(0)  # let the other task run in between
            return _("legend")

    async def both():
        return await asyncio.gather(speak("zh-CN"), speak("zh-TW"), speak("en"))

    assert asyncio.run(both()) == ["图例", "圖例", "legend"]


# -- the catalogs -------------------------------------------------------------------------


def test_every_message_has_a_translation_in_both_languages():
    """Fails naming each message without a translation (or whose {fields} differ) in
    zh_CN or zh_TW, and when the .pot lags the code: run tools/extract_messages.py."""
    assert extract_messages.problems() == []


def test_the_template_is_what_the_code_marks():
    messages = extract_messages.extract()
    assert extract_messages.POT.read_text("utf-8") == extract_messages.pot_text(messages)
    ids = {m.msgid for m in messages}
    assert {"legend", "Previous", "Show answer", "status", "leaf"} <= ids
    assert "node" in ids and not any("\x00" in i for i in ids)


def test_the_extractor_refuses_an_f_string(tmp_path):
    (tmp_path / "autograd").mkdir()
    (tmp_path / "autograd" / "bad.py").write_text('x = 1\nprint(_(f"step {x}"))\n')
    with pytest.raises(SystemExit, match=r"autograd/bad.py:2: an f-string in _\(\)"):
        extract_messages.extract(tmp_path)


def test_zh_tw_is_written_for_taiwan_not_converted_character_by_character():
    """Taiwan's terms and punctuation where they differ from the mainland's."""
    tw = translations("zh-TW")
    cn = translations("zh-CN")
    for english, mainland, taiwan in [
        ("node", "节点", "節點"),
        ("parameter or input", "参数或输入", "參數或輸入"),
        ("highlighted step", "当前步骤", "目前步驟"),  # 目前, not 當前
        ("memo entry", "备忘录条目", "備忘錄項目"),  # 項目, not 條目
        ('mistake "{kind}"', "错误“{kind}”", "錯誤「{kind}」"),  # 「」 quotes
        ("non-differentiable here", "此处不可导", "此處不可微分"),
    ]:
        assert cn.gettext(english) == mainland
        assert tw.gettext(english) == taiwan


def test_a_po_file_is_read_without_msgfmt():
    text = r'''# a comment
msgid ""
msgstr ""
"Language: zh_CN\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#. Translators: a note
#: autograd/x.py
#, python-brace-format
msgid "say \"{word}\"\t"
"again"
msgstr "说“{word}”\t再说"

#, fuzzy
msgid "rough"
msgstr "粗略"

msgid "{count} entry"
msgid_plural "{count} entries"
msgstr[0] "{count} 个条目（单）"
msgstr[1] "{count} 个条目"

msgid "untranslated"
msgstr ""

#~ msgid "gone"
#~ msgstr "没了"
'''
    messages = read_po(text)
    assert [m.msgid for m in messages] == ["", 'say "{word}"\tagain', "rough", "{count} entry",
                                           "untranslated"]
    said = messages[1]
    assert said.comments == ["Translators: a note"] and said.references == ["autograd/x.py"]
    assert said.flags == {"python-brace-format"} and said.translated
    assert not messages[2].translated and not messages[4].translated
    catalog = gettext.GNUTranslations(io.BytesIO(compile_mo(messages)))
    assert catalog.gettext('say "{word}"\tagain') == "说“{word}”\t再说"
    assert catalog.gettext("rough") == "rough"  # fuzzy: not used
    assert catalog.gettext("untranslated") == "untranslated"
    assert catalog.gettext("gone") == "gone"  # obsolete entries are not read
    assert catalog.ngettext("{count} entry", "{count} entries", 1) == "{count} 个条目（单）"
    assert catalog.ngettext("{count} entry", "{count} entries", 3) == "{count} 个条目"
    with pytest.raises(ValueError, match="line 2: cannot read"):
        read_po('msgid ""\nmsgstr unquoted\n', "bad.po")


def test_merging_keeps_translations_and_keeps_gone_ones_as_obsolete():
    po = ('# top comment\nmsgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
          'msgid "kept"\nmsgstr "保留"\n\nmsgid "gone"\nmsgstr "删除"\n')
    fresh = [extract_messages.Message("kept"), extract_messages.Message("new"),
             extract_messages.Message("{n} item", "{n} items", ["", ""])]
    merged = extract_messages.merged_po(po, fresh)
    assert merged.startswith("# top comment\n")
    assert '#~ msgid "gone"\n#~ msgstr "删除"' in merged
    by_id = {m.msgid: m for m in read_po(merged)}
    assert by_id["kept"].msgstr == ["保留"] and by_id["new"].msgstr == [""]
    assert by_id["{n} item"].msgstr == [""]  # one form: Chinese has no plural
    assert "gone" not in by_id


def test_catalogs_are_where_the_package_ships_them():
    for lang in ("zh-CN", "zh-TW"):
        path = catalog_path(lang)
        assert path.is_file() and path.is_relative_to(Path(autograd.__file__).parent)
        header = read_po(path.read_text("utf-8"))[0]
        assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]


# -- text that lines up -----------------------------------------------------------------


def test_display_width_counts_terminal_columns():
    assert display_width("x*y + x") == 7
    assert display_width("权重") == 4 and display_width("節點") == 4
    assert display_width("ＡＢ") == 4  # fullwidth
    assert display_width("e\u0301") == 1 and display_width("a\u200db") == 2  # marks, ZWJ
    assert display_width("∂C/∂x") == 5  # ∂ is ambiguous: one column, as terminals draw it
    assert pad("权重", 6) == "权重  " and pad("too long", 3) == "too long"
    assert cut("权重和偏置", 5) == "权重" and cut("abc", 10) == "abc"


def test_trace_table_lines_up_with_chinese_names():
    root = weighted_sum()
    table = trace_table(root, lang="zh-CN")
    assert table == (
        "节点              运算    值  ∂C/∂(节点)  局部导数 ∂(节点)/∂(父节点)\n"
        "权重*输入 + 偏置  +       7   1           权重*输入: 1, 偏置: 1\n"
        "权重*输入         *       6   1           权重: 3, 输入: 2\n"
        "偏置              叶节点  1   1\n"
        "权重              叶节点  2   3\n"
        "输入              叶节点  3   2\n")
    lines = table.splitlines()
    # every row's cells start at the columns of the header's (a name may hold one space)
    for line in lines[1:]:
        assert column_starts(line)[:4] == column_starts(lines[0])[:4], line
    # an English table of the same graph is the table it always was
    english = trace_table(weighted_sum())
    assert english.splitlines()[0] == "node              op    value  ∂C/∂(node)  " \
                                      "local derivatives ∂(node)/∂(parent)"
    assert english.splitlines()[3] == "偏置              leaf  1      1"


def test_long_chinese_names_are_cut_by_display_width():
    from autograd.explain.text import row_names

    a, b = Value(1.0, "甲" * 20), Value(2.0, "乙" * 20)
    names = row_names([a, b], {a: a.label, b: b.label}, width=28)
    assert names[a] == "甲" * 12 + "…#1" and display_width(names[a]) == 27
    assert all(display_width(n) <= 28 for n in names.values())


def test_step_lines_and_memo_line_in_chinese():
    root = weighted_sum()
    out = io.StringIO()
    shown = step_through(root, pause=False, stdout=out, lang="zh-CN")
    text = out.getvalue()
    assert shown == 5
    assert text.startswith("第 1 步（共 5 步）：权重*输入 + 偏置（+，值 7）\n"
                           "  ∂C/∂(权重*输入 + 偏置) = 1：权重*输入 + 偏置 是输出，即 C\n"
                           "  备忘录：5 个条目已填 1 个；"
                           "就绪：权重*输入 = 1（已到 1 份，共 1 份）、"
                           "偏置 = 1（已到 1 份，共 1 份）；"
                           "待定：权重（已到 0 份，共 1 份）、输入（已到 0 份，共 1 份）\n")
    assert "  ∂C/∂(权重) = 3 × 1 = 3\n" in text  # the math reads the same in every language
    assert text.endswith("完成：5 个条目，每个只计算一次；4 次乘法和 4 次加法，每条边各一次\n")
    x = Value(3.0, "x")
    last = list(steps(x * x))[-1]
    assert step_lines(last, lang="zh-TW")[0] == "第 2 步（共 2 步）：x（葉節點，值為 3）"
    assert step_lines(last, lang="zh-TW")[-1] == "  備忘錄：2 個項目已填 2 個；每個項目都已確定"
    assert step_lines(last)[0] == "step 2 of 2: x  (leaf, value 3)"  # English as before


# -- reports, quiz, mistakes --------------------------------------------------------------


def test_gradcheck_report_headers_and_statuses_in_chinese():
    report = gradcheck(lambda 权重, b: 权重 * b.relu(), [1.5, 0.0])
    assert [r.status for r in report.rows] == ["pass", "non-differentiable here"]  # for code
    lines = report.text(lang="zh-CN").splitlines()
    assert lines[0] == ("gradcheck：检查 2 个输入（eps=1e-06；|解析值 - 数值| <= 1e-05 + "
                        "0.001*|数值| 时通过）")
    assert lines[1].split() == ["输入", "解析值", "数值", "绝对误差", "相对误差", "状态"]
    assert lines[2].split()[0] == "权重" and lines[2].split()[-1] == "通过"
    assert "  此处不可导（relu at 0" in lines[3]  # the note, an engine's word, stays as it is
    assert lines[-1] == "2 项中 1 项通过；未检查：b"
    # the status column starts at one display column on every line
    assert len({display_width(line[: line.index(s)]) for line, s in
                zip(lines[1:4], ["状态", "通过", "此处不可导"])}) == 1
    assert report.text(lang="zh-TW").splitlines()[1].split()[0] == "輸入"
    assert str(report).splitlines()[1].split()[0] == "input"
    set_language("zh-CN")
    assert str(report).splitlines()[1].split()[0] == "输入"


def test_quiz_hints_and_feedback_in_chinese():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    q = quiz(x * y + x, lang="zh-CN")
    question = q[2]  # ∂C/∂x: x is used twice
    assert question.prompt == "∂C/∂x = ?"
    assert question.hint(1) == (
        "∂C/∂x = ∂(mul#2 + x)/∂x × ∂C/∂C + ∂(mul#2)/∂x × ∂C/∂(mul#2)。x 被使用了两次，"
        "使用者是 C 和 mul#2：每次使用加一项，即局部导数乘以该使用者的条目。")
    assert question.hint(2) == ("从备忘录中读到：∂C/∂C = 1 和 ∂C/∂(mul#2) = 1。前向传播时记下的"
                                "局部导数：∂(mul#2 + x)/∂x = 1 和 ∂(mul#2)/∂x = 3。")
    assert question.hint(3) == "把这些乘积相加：1 × 1 = 1 和 3 × 1 = 3。"
    feedback = question.check("abc")
    assert feedback.hint == ("'abc' 里有名字 abc；答案只能用数字。请输入一个数字（例如 0.25）"
                             "或算式（例如 0.5*2）。")
    assert str(question.check(3)).startswith("还不对：∂C/∂x = ")
    assert str(question.check("1 + 3")) == "正确" and str(q) == "4 题中答对 1 题"
    assert q[0].hint(1) == "C 是输出：C 自己变化时，C 变化多少？"
    # made in one language, a quiz keeps it whatever is set later
    set_language("zh-TW")
    assert q[3].hint(3) == "∂C/∂y = 2 × 1 = 2." and str(q) == "4 题中答对 1 题"
    assert quiz(x * y + x)[0].hint(1) == "C 是輸出：C 本身改變時，C 改變多少？"


def test_mistake_table_in_chinese_lines_up():
    a = Value(3.0, "权重")
    wrong = mistake(a * a, "overwrite")
    text = wrong.table(lang="zh-TW")
    lines = text.splitlines()
    assert lines[0].startswith("錯誤「overwrite」：每一份都用 = 存入")
    assert lines[1:4] == ["   節點  錯誤結果  正確結果",
                          "   C     1         1",
                          "≠  权重  3         6"]
    assert lines[-1] == "2 個項目中有 1 個不同（≠）"
    assert wrong.explanation == autograd.explain.KINDS["overwrite"]  # English for code
    assert str(wrong).splitlines()[1].split() == ["node", "mistaken", "correct"]


def test_exceptions_stay_english():
    set_language("zh-CN")
    with pytest.raises(ValueError, match=r"'abc' names abc; an answer may use numbers only"):
        read_answer("abc")
    with pytest.raises(ValueError, match="walkthrough: unknown mistake 'typo'"):
        walkthrough(Value(1.0), mistake="typo")
    with pytest.raises(TypeError, match="quiz: loss must be a Value"):
        quiz(1.0)


# -- drawings and pages -------------------------------------------------------------------


def test_legend_and_tooltips_in_traditional_chinese():
    x = Value(2.0, "x")
    y = x * x
    y.backward()
    source = draw(y, lang="zh-TW", show_local=True).source
    for word in ("圖例", "參數或輸入", "常數", "輸出", "運算"):
        assert f">{word}<" in source, word
    assert "備忘錄項目 dC/d(v1) = 4" in source or "備忘錄項目 dC/d(" in source
    assert "局部導數 d(" in source
    assert 'fontname="Helvetica,Noto Sans CJK TC,Source Han Sans TC,PingFang TC,' \
           'Microsoft JhengHei,sans-serif"' in source
    english = draw(y).source
    assert ">legend<" in english and 'fontname=Helvetica' in english  # as before
    # an English drawing of Chinese labels asks for CJK fonts too
    assert "Noto Sans CJK SC" in draw(weighted_sum()).source


@needs_renderer
def test_the_svg_names_the_cjk_font_stack_and_renders():
    svg = draw(weighted_sum(), lang="zh-CN").pipe(format="svg").decode()
    assert ('font-family="Helvetica,Noto Sans CJK SC,Source Han Sans SC,PingFang SC,'
            'Microsoft YaHei,sans-serif"') in svg
    assert ">权重</text>" in svg and ">图例</text>" in svg


@pytest.mark.skipif(find_dot() is None or not render.is_pure(find_dot()),
                    reason="the ASCII labels are for graphviz-pure's PNG only")
def test_a_png_says_which_characters_it_replaced():
    drawing = draw(weighted_sum(), lang="zh-CN")
    before = list(drawing.body)
    with pytest.warns(render.PngTextWarning, match=r"graphviz-pure draws ASCII only in a PNG: "
                      r"replaced 图 \(U\+56FE\) -> \?, 例 \(U\+4F8B\) -> \?") as caught:
        png = drawing.pipe(format="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert "权 (U+6743) -> ?, 重 (U+91CD) -> ?" in str(caught[0].message)  # then the labels
    assert drawing.body == before  # the note went into the picture only
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an ASCII graph: nothing replaced, nothing said
        x = Value(0.5, "x")
        draw(x.sigmoid(), lang="en").pipe(format="png")
    seen: dict[str, str] = {}
    assert render.ascii_text("权重 é σ", seen) == "?? e sigmoid"
    assert seen == {"权": "?", "重": "?", "é": "e"}
    with pytest.warns(render.PngTextWarning, match=r"replaced U\+2028 -> \?"):
        draw(Value(1.0, "a\u2028b")).pipe(format="png")  # a character that does not show
    note = render.replacement_note(seen)
    assert note[1] == "? stands for U+6743 U+91CD" and all(line.isascii() for line in note)


class Page(HTMLParser):
    """A page read as a browser would: the text inside each element with an id (or a
    class: ``.legend``), the attributes of html, body and inputs, the document's title
    and its style sheet."""

    def __init__(self, text):
        super().__init__()
        self.texts, self.attrs, self.stack = {}, {}, []
        self.title = re.search(r"<title>(.*?)</title>", text).group(1)  # the first: the head's
        self.style = re.search(r"<style>(.*?)</style>", text, re.S).group(1)
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("html", "body", "input"):
            self.attrs[attrs.get("id", tag)] = attrs
        key = attrs.get("id") or ("." + attrs["class"] if attrs.get("class") else None)
        self.stack.append(key)
        if key:
            self.texts[key] = ""

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        for name in self.stack:
            if name:
                self.texts[name] += data


@needs_renderer
def test_walkthrough_page_in_simplified_chinese():
    o = micrograd_neuron()
    page = Page(walkthrough(o, lang="zh-CN", mistake="order").html)
    assert page.attrs["html"]["lang"] == "zh-CN"
    assert page.title == "o 的反向传播"
    assert page.texts["prev"].strip() == "◀ 上一步" and page.texts["next"].strip() == "下一步 ▶"
    assert page.texts["counter"] == "第 1 步，共 10 步"
    assert page.attrs["slider"]["aria-label"] == "步骤"
    assert page.texts["entry"].startswith("备忘录条目 ∂C/∂(")
    assert "微扰" in page.texts["entry"]
    assert page.texts[".legend"].split() == [
        "本步的节点", "它的备忘录条目", "它从中读取", "dC/d(使用者)", "的使用者",
        "就绪：份额已全部到达，它的步骤还在后面", "grad", "?", "=", "待定：还缺份额",
        "按键：", "←", "→"]
    assert "节点（填写顺序）" in page.texts["memo"] and "∂C/∂节点" in page.texts["memo"]
    assert "错误结果" in page.texts["memo"]
    assert page.texts["mistake"].startswith("错误“order”：深度优先遍历一到达某个节点")
    assert "Noto Sans CJK SC" in page.style and "Noto Sans Mono CJK SC" in page.style
    texts = json.loads(page.attrs["body"]["data-texts"])
    assert texts == {"step": "第 {number} 步，共 {count} 步",
                     "shares": "?（已到 {arrived}/{expected} 份）",
                     "undefined": "此处无定义"}
    tw = Page(walkthrough(o, lang="zh-TW").html)
    assert tw.attrs["html"]["lang"] == "zh-TW" and tw.texts["counter"] == "步驟 1／10"
    assert "Noto Sans CJK TC" in tw.style and "Noto Sans CJK SC" not in tw.style
    english = Page(walkthrough(o).html)
    assert english.texts["counter"] == "step 1 of 10" and "CJK" not in english.style


@needs_renderer
def test_quiz_page_in_simplified_chinese():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    q = quiz(x * y + x, lang="zh-CN")
    html_text = quiz_page(q).html
    page = Page(html_text)
    assert page.attrs["html"]["lang"] == "zh-CN"
    assert page.title == "测验：C 的反向传播"
    assert page.texts["check"] == "检查" and page.texts["show"] == "显示答案"
    assert page.texts["restart"] == "重新开始" and page.texts["progress"] == "第 1 题，共 4 题"
    assert page.attrs["answer"]["placeholder"] == "数字或算式：0.5*2"
    texts = json.loads(page.attrs["body"]["data-texts"])
    assert texts["wrong"] == "还不对（提示 {level}/{deepest}）"
    assert texts["type_a_number"] == "{problem}。请输入一个数字（例如 0.25）或算式（例如 0.5*2）。"
    data = json.loads(re.search(r'id="quiz">(.*?)</script>', html_text, re.S).group(1))
    assert data["questions"][2]["hints"][2] == "把这些乘积相加：1 × 1 = 1 和 3 × 1 = 3。"


# -- nn: the learning curves and the progress bar ---------------------------------------


def a_history():
    from nn import History

    return History(train_loss=[0.9, 0.5, 0.3], train_accuracy=[0.6, 0.8, 0.9],
                   val_loss=[1.0, 0.6, 0.4], val_accuracy=[0.5, 0.7, 0.85], lr=[0.1] * 3)


def figure_words(fig):
    """Each panel's title, x-axis label and legend entries."""
    return [(ax.get_title(), ax.get_xlabel(),
             [t.get_text() for t in ax.get_legend().get_texts()]) for ax in fig.axes]


@pytest.mark.parametrize(("lang", "words"), [
    ("en", [("loss", "epoch", ["train", "validation"]),
            ("accuracy", "epoch", ["train", "validation"])]),
    ("zh-CN", [("损失", "轮", ["训练", "验证"]), ("准确率", "轮", ["训练", "验证"])]),
    ("zh-TW", [("損失", "訓練週期", ["訓練", "驗證"]), ("準確率", "訓練週期", ["訓練", "驗證"])]),
])
def test_history_plot_speaks_the_language(lang, words):
    pytest.importorskip("matplotlib")
    assert figure_words(a_history().plot(lang=lang)) == words  # lang=
    with use_language(lang):  # the language in force
        assert figure_words(a_history().plot()) == words


def test_history_plot_is_english_without_a_setting_and_lang_wins(monkeypatch):
    pytest.importorskip("matplotlib")
    assert figure_words(a_history().plot())[0] == ("loss", "epoch", ["train", "validation"])
    monkeypatch.setenv("MEMOGRAD_LANG", "zh-CN")
    assert figure_words(a_history().plot())[0][0] == "损失"
    assert figure_words(a_history().plot(lang="en"))[0][0] == "loss"


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["fit: 100%", "epoch/s", "loss=", "acc=", "val_loss=", "val_acc="]),
    ("zh-CN", ["训练: 100%", "轮/s", "损失=", "准确率=", "验证损失=", "验证准确率="]),
    ("zh-TW", ["訓練: 100%", "訓練週期/s", "損失=", "準確率=", "驗證損失=", "驗證準確率="]),
])
def test_fit_progress_bar_speaks_the_language(capsys, lang, words):
    pytest.importorskip("tqdm", reason="tqdm is not installed")
    import nn
    from nn import MLP, datasets, optim

    model = MLP(2, [3, 1], seed=0)
    data = datasets.moons(20, labels=(-1, 1))
    with use_language(lang):
        nn.fit(model, nn.hinge, optim.SGD(model.parameters(), lr=0.1), data, data, epochs=2,
               batch_size=10, compiled=False)
    err = capsys.readouterr().err
    assert "2/2" in err
    for word in words:
        assert word in err, (word, err)


def test_the_catalog_holds_the_messages_nn_marks():
    messages = {m.msgid: m for m in extract_messages.extract()}
    assert messages["loss"].references == ["nn/history.py", "nn/train.py"]
    assert {"accuracy", "validation", "epoch", "val_acc"} <= messages.keys()


# -- docs ---------------------------------------------------------------------------------


def test_readme_starts_in_chinese_with_the_set_up_commands_and_the_first_example():
    from test_readme import commands

    readme = (ROOT / "README.md").read_text("utf-8")
    title, rest = readme.split("\n", 1)
    assert title == "# memograd" and rest.lstrip().startswith("## 安装与快速开始")
    chinese = rest.split("## 安装与快速开始", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"```bash\n(.+?)\n```", chinese) == commands()  # the same two
    ten_lines = readme.split("## Ten lines", 1)[1].split("\n## ", 1)[0]
    example = re.findall(r"```python\n(.+?)```", chinese, re.S)
    assert example == re.findall(r"```python\n(.+?)```", ten_lines, re.S)
    assert "(docs/glossary.md)" in chinese and "(docs/glossary.md)" in rest.split("\n## ", 2)[1]


def test_the_glossary_maps_the_course_terms_in_both_scripts():
    glossary = (ROOT / "docs" / "glossary.md").read_text("utf-8")
    terms = [("前向传播", "前向傳播"), ("反向传播", "反向傳播"), ("链式法则", "連鎖律"),
             ("偏导数", "偏導數"), ("动态规划", "動態規劃"), ("备忘录", "備忘錄"),
             ("记忆化", "記憶化"), ("损失函数", "損失函數"), ("梯度下降", "梯度下降"),
             ("节点", "節點"), ("局部导数", "局部導數")]
    for mainland, taiwan in terms:
        row = next(line for line in glossary.splitlines() if line.startswith(f"| {mainland} |"))
        assert row.split(" | ")[1] == taiwan, row
    # every word the glossary quotes from the output is one the catalogs print
    cn, tw = translations("zh-CN"), translations("zh-TW")
    for english in ("legend", "node", "leaf", "pass", "non-differentiable here", "nudge"):
        assert cn.gettext(english) in glossary and tw.gettext(english) in glossary, english
