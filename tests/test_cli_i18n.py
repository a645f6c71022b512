"""The memograd command in Simplified and Traditional Chinese (issue 16): --lang before
or after the command, MEMOGRAD_LANG and the locale, every command's output and its
one-line errors, Chinese node names in columns that line up, refusals naming the
languages, and English exactly as before."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import column_starts
from test_cli import TRACE_GOLDEN

from autograd.cli import main
from autograd.explain import comparison_report
from autograd.i18n import LANGUAGES, display_width, get_language, set_language

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ("MEMOGRAD_LANG", "LC_ALL", "LC_MESSAGES", "LANG")
TRACE = ["trace", "x*y + x", "--at", "x=2", "y=3"]
CHINESE = ["trace", "权重*输入 + 偏置", "--at", "权重=2", "输入=3", "偏置=1"]
"""The issue's example: node names in Chinese."""


@pytest.fixture(autouse=True)
def no_language_set():
    """No language set for the session before or after (conftest sets MEMOGRAD_LANG=en)."""
    set_language(None)
    yield
    set_language(None)


def run(capsys, *argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- each command in each language ---------------------------------------------------------

TRACE_OUT = {
    "zh-CN": ("x*y + x  在 x=2、y=3 处\n"
              "输出 = 8；C = 输出，所以 ∂C/∂C = 1\n"
              "\n"
              "节点     运算    值  ∂C/∂(节点)  局部导数 ∂(节点)/∂(父节点)\n"
              "x*y + x  +       8   1           x*y: 1, x: 1\n"
              "x*y      *       6   1           x: 3, y: 2\n"
              "x        叶节点  2   4\n"
              "y        叶节点  3   2\n"),
    "zh-TW": ("x*y + x  在 x=2、y=3 處\n"
              "輸出 = 8；C = 輸出，所以 ∂C/∂C = 1\n"
              "\n"
              "節點     運算    值  ∂C/∂(節點)  局部導數 ∂(節點)/∂(父節點)\n"
              "x*y + x  +       8   1           x*y: 1, x: 1\n"
              "x*y      *       6   1           x: 3, y: 2\n"
              "x        葉節點  2   4\n"
              "y        葉節點  3   2\n"),
    "en": TRACE_GOLDEN,  # English exactly as before the translations
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_trace_in_each_language(capsys, lang):
    code, out, err = run(capsys, *TRACE, "--lang", lang)
    assert (code, out, err) == (0, TRACE_OUT[lang], "")


@pytest.mark.parametrize("lang, first, last", [
    ("zh-CN", "第 1 步（共 4 步）：x*y + x（+，值 8）",
     "完成：4 个条目，每个只计算一次；4 次乘法和 4 次加法，每条边各一次"),
    ("zh-TW", "第 1 步（共 4 步）：x*y + x（+，值為 8）",
     "完成：4 個項目，每個只計算一次；4 次乘法與 4 次加法，每條邊各一次"),
    ("en", "step 1 of 4: x*y + x  (+, value 8)",
     "done: 4 entries, each computed once; 4 multiplications and 4 additions, one of each "
     "per edge"),
])
def test_step_in_each_language(capsys, lang, first, last):
    code, out, err = run(capsys, *TRACE, "--step", "--no-pause", "--lang", lang)
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[:2] == TRACE_OUT[lang].splitlines()[:2]  # the header, as trace's
    assert lines[3] == first and lines[-1] == last
    memo = {"zh-CN": "  备忘录：4 个条目已填 3 个；就绪：y = 2（已到 1 份，共 1 份）",
            "zh-TW": "  備忘錄：4 個項目已填 3 個；就緒：y = 2（已收到 1 份，共 1 份）",
            "en": "  memo: 3 of 4 filled; ready: y = 2 (1 of 1 shares in)"}[lang]
    assert memo in lines  # the memo's state after step 3
    assert "  ∂C/∂x = 1 × 1 + 3 × 1 = 4" in lines  # the math reads the same in every language


@pytest.mark.parametrize("lang, heading, columns, summary", [
    ("zh-CN", "x*y  在 x=2、y=3 处", ["输入", "解析值", "数值", "绝对误差", "相对误差", "状态"],
     "2 项中 2 项通过"),
    ("zh-TW", "x*y  在 x=2、y=3 處", ["輸入", "解析值", "數值", "絕對誤差", "相對誤差", "狀態"],
     "2 項中有 2 項通過"),
    ("en", "x*y  at  x=2, y=3", ["input", "analytic", "numeric", "abs", "err", "rel", "err",
                                 "status"], "2 of 2 pass"),
])
def test_check_in_each_language(capsys, lang, heading, columns, summary):
    code, out, err = run(capsys, "check", "x*y", "--at", "x=2", "y=3", "--lang", lang)
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[0] == heading and lines[1] == ""
    assert lines[2].startswith("gradcheck")
    assert lines[3].split() == columns and lines[-1] == summary


def test_check_with_chinese_names_lines_up(capsys):
    code, out, _ = run(capsys, "check", "权重*relu(偏置)", "--at", "权重=1.5", "偏置=0",
                       "--lang", "zh-CN")
    lines = out.splitlines()
    assert code == 0 and lines[-1] == "2 项中 1 项通过；未检查：偏置"
    table = lines[3:6]
    assert [line.split()[0] for line in table] == ["输入", "权重", "偏置"]
    assert len({tuple(column_starts(line)[:6]) for line in table}) == 1  # each column at one place
    assert "此处不可导（relu at 0" in table[2]  # the engine's note stays as it is


def test_compare_in_each_language(capsys):
    argv = ["compare", "--depth", "1", "9", "--width", "4"]
    code, out, err = run(capsys, *argv, "--lang", "zh-CN")
    assert code == 0 and err == ""
    assert out.startswith("损失函数 (output - 1)**2 对一个全连接 tanh 网络的每个权重和偏置的"
                          "梯度：\n")
    assert "| 深度 | 宽度 | 参数 | 边 | 路径 | 朴素乘法 | 朴素加法 | 记忆化乘法 | 记忆化加法 | " \
           "朴素/记忆化 |\n|---:|" in out
    assert "| 1 | 4 | 25 | 58 | 25 | 180 | 25 | 58 | 58 | 3.1 |\n" in out  # numbers as in English
    assert out.endswith("\\* 路径太多，无法逐条走过：用图上的动态规划计数\n")
    code, out, _ = run(capsys, *argv, "--lang", "zh-TW")
    assert "| 深度 | 寬度 | 參數 | 邊 | 路徑 | 樸素乘法 |" in out and "記憶化 = 一次反向傳播" in out
    code, out, _ = run(capsys, *argv, "--lang", "en")
    assert out == comparison_report([1, 9], [4], lang="en")
    assert out.startswith("Gradient of the loss (output - 1)**2")


QUIZ_ANSWERS = "1\n5\n6\n7\nabc\n4\n"
"""Right, three wrong tries (hints 1-3, then the answer), not a number, right, then the
end of input before the last question."""


def test_quiz_in_simplified_chinese(capsys, monkeypatch):
    code, out, err = run(capsys, "quiz", "x*y + x", "--at", "x=2", "y=3", "--lang", "zh-CN",
                         stdin=QUIZ_ANSWERS, monkeypatch=monkeypatch)
    assert code == 1 and err == ""
    assert out == (
        "x*y + x  在 x=2、y=3 处\n"
        "输出 = 8，记作 C。请填写备忘录：共 4 个条目，按反向传播填写的顺序。\n"
        "每个条目输入一个数字或算式（例如 0.5*2）；答错 3 次后显示答案。\n"
        "\n"
        "[第 1 题，共 4 题] ∂C/∂(x*y + x) = ? 1\n"
        "  正确：∂C/∂(x*y + x) = 1\n"
        "[第 2 题，共 4 题] ∂C/∂(x*y) = ? 5\n"
        "  还不对（提示 1/3）：∂C/∂(x*y) = ∂(x*y + x)/∂(x*y) × ∂C/∂(x*y + x)。x*y 只被使用一次，"
        "使用者是 x*y + x：用局部导数乘以该使用者的条目。\n"
        "[第 2 题，共 4 题] ∂C/∂(x*y) = ? 6\n"
        "  还不对（提示 2/3）：从备忘录中读到：∂C/∂(x*y + x) = 1。前向传播时记下的局部导数："
        "∂(x*y + x)/∂(x*y) = 1。\n"
        "[第 2 题，共 4 题] ∂C/∂(x*y) = ? 7\n"
        "  还不对（提示 3/3）：∂C/∂(x*y) = 1 × 1 = 1.\n"
        "  答案：∂C/∂(x*y) = 1 × 1 = 1\n"
        "[第 3 题，共 4 题] ∂C/∂x = ? abc\n"
        "  'abc' 里有名字 abc；答案只能用数字。请输入一个数字（例如 0.25）或算式（例如 0.5*2）。\n"
        "[第 3 题，共 4 题] ∂C/∂x = ? 4\n"
        "  正确：∂C/∂x = 1 × 1 + 3 × 1 = 4\n"
        "[第 4 题，共 4 题] ∂C/∂y = ? \n"
        "在第 4 题停止（输入已结束）：4 题中答对 2 题。\n"
    )


def test_quiz_in_traditional_chinese_and_english(capsys, monkeypatch):
    code, out, _ = run(capsys, "quiz", "x*y + x", "--at", "x=2", "y=3", "--lang", "zh-TW",
                       stdin=QUIZ_ANSWERS, monkeypatch=monkeypatch)
    lines = out.splitlines()
    assert code == 1
    assert lines[1] == "輸出 = 8，記為 C。請填寫備忘錄：共 4 個項目，依反向傳播填入的順序。"
    assert lines[4:6] == ["[第 1 題，共 4 題] ∂C/∂(x*y + x) = ? 1", "  正確：∂C/∂(x*y + x) = 1"]
    assert lines[7].startswith("  還不對（提示 1/3）：∂C/∂(x*y) = ")
    assert "  答案：∂C/∂(x*y) = 1 × 1 = 1" in lines
    assert lines[-1] == "在第 4 題停下（輸入已結束）：4 題中答對 2 題。"
    code, out, _ = run(capsys, "quiz", "x*y + x", "--at", "x=2", "y=3", "--lang", "zh-TW",
                       stdin="1\n1\n4\n2\n", monkeypatch=monkeypatch)
    assert code == 0 and out.endswith("完成：4 題中答對 4 題。\n")
    code, out, _ = run(capsys, "quiz", "x*y + x", "--at", "x=2", "y=3", "--lang", "en",
                       stdin=QUIZ_ANSWERS, monkeypatch=monkeypatch)
    assert "  not yet (hint 3 of 3): ∂C/∂(x*y) = 1 × 1 = 1.\n  the answer: " in out
    assert out.endswith("stopped at question 4 of 4 (end of input): 2 of 4 right.\n")


@pytest.mark.parametrize("lang, mistaken, order", [
    ("zh-CN", ["节点", "错误结果", "正确结果"], "在表达式里只有变量是共享的"),
    ("zh-TW", ["節點", "錯誤結果", "正確結果"], "在運算式裡只有變數是共用的"),
])
def test_trace_mistake_in_chinese(capsys, lang, mistaken, order):
    code, out, _ = run(capsys, "trace", "权重*权重", "--at", "权重=3", "--mistake", "set",
                       "--lang", lang)
    lines = out.splitlines()
    assert code == 0 and lines[4].split() == mistaken
    assert lines[6].split() == ["≠", "权重", "3", "6"]
    table = lines[4:7]
    assert len({tuple(column_starts(line)) for line in table}) == 1, table
    code, out, _ = run(capsys, *TRACE, "--mistake", "order", "--lang", lang)
    assert code == 0 and out.splitlines()[-1].startswith(order)
    assert 'autograd.mistake(loss, "order")' in out  # code stays code


# -- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, missing, library, usage", [
    ("zh-CN", "memograd trace: 错误：以下变量没有给出值：z（在 --at 后加上 z=...）\n",
     "memograd trace: 错误：log: domain error at node 'x' (data=0.0): needs a value > 0\n",
     "memograd: 错误：unrecognized arguments: --bogus（见 memograd --help）\n"),
    ("zh-TW", "memograd trace: 錯誤：以下變數沒有給值：z（在 --at 後面加上 z=...）\n",
     "memograd trace: 錯誤：log: domain error at node 'x' (data=0.0): needs a value > 0\n",
     "memograd: 錯誤：unrecognized arguments: --bogus（請見 memograd --help）\n"),
    ("en", "memograd trace: error: no value given for z (add z=... to --at)\n",
     "memograd trace: error: log: domain error at node 'x' (data=0.0): needs a value > 0\n",
     "memograd: error: unrecognized arguments: --bogus (see memograd --help)\n"),
])
def test_an_error_in_each_language_is_one_line(capsys, lang, missing, library, usage):
    """The CLI's own words are translated; a library exception's message stays English
    after the translated prefix, and so does argparse's."""
    assert run(capsys, "trace", "x + z", "--at", "x=1", "--lang", lang) == (2, "", missing)
    assert run(capsys, "trace", "log(x)", "--at", "x=0", "--lang", lang) == (2, "", library)
    assert run(capsys, "trace", "x", "--at", "x=1", "--bogus", "--lang", lang) == (2, "", usage)


@pytest.mark.parametrize("argv, message", [
    (["trace", "x", "--at", "x=abc"], "memograd trace: 错误：--at x：'abc' 不是数字"),
    (["trace", "x", "--at", "x=1", "x=2"], "memograd trace: 错误：--at 给了 x 两次"),
    (["trace", "x", "--at", "x=1", "y=2"], "memograd trace: 错误：--at 给出了 y，但表达式没有用到"),
    (["trace", "x", "--at", "x=1", "--no-pause"], "memograd trace: 错误：--no-pause 只能和 --step"),
    (["quiz", "x", "--at", "x=1", "--tolerance", "-1"],
     "memograd quiz: 错误：--tolerance 必须是 >= 0 的数，收到的是 -1.0"),
    (["demo", "--epochs", "0"], "memograd demo: 错误：--epochs 至少为 1，收到的是 0"),
    (["trace", "x", "--max-nodes", "many"],
     "memograd trace: 错误：argument --max-nodes: invalid int value: 'many'（见 memograd trace "
     "--help）"),
])
def test_the_cli_s_refusals_in_chinese(capsys, argv, message):
    code, out, err = run(capsys, *argv, "--lang", "zh-CN")
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith(message), err


def test_a_long_list_of_names_in_chinese(capsys):
    names = [f"v{i}" for i in range(20)]
    code, _, err = run(capsys, "trace", "sum([" + ", ".join(names) + "])", "--lang", "zh-TW")
    assert code == 2 and err == (
        "memograd trace: 錯誤：以下變數沒有給值：v0、v1、v2、v3、v4、v5、v6、v7，還有 12 個（在 "
        "--at 後面加上 v0=... v1=... v2=... v3=... v4=... v5=... v6=... v7=... 以及其餘變數）\n")


@pytest.mark.parametrize("argv", [
    ["--lang", "fr", *TRACE], [*TRACE, "--lang", "fr"], ["--lang=klingon", *TRACE],
    [*TRACE, "--lang", ""], ["--lang", "fr"],
])
def test_an_unknown_lang_exits_2_naming_the_languages(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "unknown language" in err and "the languages are en, zh-CN, zh-TW" in err, err


def test_an_unknown_memograd_lang_exits_2_naming_the_languages(capsys, monkeypatch):
    monkeypatch.setenv("MEMOGRAD_LANG", "klingon")
    code, out, err = run(capsys, *TRACE)
    assert code == 2 and out == "" and err == (
        "memograd trace: error: MEMOGRAD_LANG='klingon' is not a language memograd speaks; "
        "the languages are en, zh-CN, zh-TW (or give --lang)\n")
    assert run(capsys, *TRACE, "--lang", "zh-TW")[1] == TRACE_OUT["zh-TW"]  # --lang is enough
    assert run(capsys, "trace", "--help")[0] == 0  # help needs no language


# -- choosing the language -------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh-CN", "zh-TW", "en"])
def test_lang_before_or_after_the_command(capsys, lang):
    expected = TRACE_OUT[lang]
    assert run(capsys, "--lang", lang, *TRACE) == (0, expected, "")
    assert run(capsys, *TRACE, "--lang", lang) == (0, expected, "")
    assert run(capsys, f"--lang={lang}", *TRACE) == (0, expected, "")
    assert run(capsys, TRACE[0], "--lang", lang, *TRACE[1:]) == (0, expected, "")


def test_lang_spelled_as_a_locale_and_the_command_s_lang_wins(capsys):
    assert run(capsys, *TRACE, "--lang", "zh_tw")[1] == TRACE_OUT["zh-TW"]
    assert run(capsys, "--lang", "zh-CN", *TRACE, "--lang", "zh-TW")[1] == TRACE_OUT["zh-TW"]


def test_an_expression_starting_with_a_minus_after_a_top_level_lang(capsys):
    code, out, _ = run(capsys, "--lang", "zh-CN", "trace", "-x * 2", "--at", "x=3")
    assert code == 0 and out.startswith("-x * 2  在 x=3 处\n输出 = −6；")


def test_memograd_lang_and_the_locale_choose_and_lang_overrides(capsys, monkeypatch):
    monkeypatch.setenv("MEMOGRAD_LANG", "zh-CN")
    assert run(capsys, *TRACE)[1] == TRACE_OUT["zh-CN"]
    assert run(capsys, *TRACE, "--lang", "en")[1] == TRACE_OUT["en"]
    for name in LOCALE:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    assert run(capsys, *TRACE)[1] == TRACE_OUT["zh-TW"]
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")  # LC_ALL before LANG
    assert run(capsys, *TRACE)[1] == TRACE_OUT["zh-CN"]
    monkeypatch.setenv("MEMOGRAD_LANG", "en")  # MEMOGRAD_LANG before the locale
    assert run(capsys, *TRACE)[1] == TRACE_OUT["en"]
    for name in LOCALE:
        monkeypatch.delenv(name, raising=False)
    assert run(capsys, *TRACE)[1] == TRACE_OUT["en"]  # nothing set: English


def test_a_usage_error_follows_the_environment_too(capsys, monkeypatch):
    monkeypatch.setenv("MEMOGRAD_LANG", "zh-TW")
    code, _, err = run(capsys, "trace", "x", "--bogus")
    assert code == 2 and err.startswith("memograd: 錯誤：unrecognized arguments: --bogus")


def test_the_command_s_language_does_not_stay_set(capsys):
    run(capsys, *TRACE, "--lang", "zh-CN")
    assert get_language() == "en"
    set_language("zh-TW")  # in Python, a session's language is the command's default
    assert run(capsys, *TRACE)[1] == TRACE_OUT["zh-TW"]
    assert run(capsys, *TRACE, "--lang", "zh-CN")[1] == TRACE_OUT["zh-CN"]
    assert get_language() == "zh-TW"


def test_the_locale_chooses_in_a_real_process():
    env = {k: v for k, v in os.environ.items() if k not in LOCALE}
    env.update(LANG="zh_TW.UTF-8", PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, "-m", "autograd.cli", *TRACE], capture_output=True,
                          text=True, encoding="utf-8", timeout=60, env=env)
    assert (done.returncode, done.stdout, done.stderr) == (0, TRACE_OUT["zh-TW"], "")
    done = subprocess.run([sys.executable, "-m", "autograd.cli", "trace", "x", "--at", "x=a"],
                          capture_output=True, text=True, encoding="utf-8", timeout=60, env=env)
    assert done.returncode == 2 and done.stderr == "memograd trace: 錯誤：--at x：'a' 不是數字\n"


def test_chinese_in_a_terminal_that_cannot_show_it_is_escaped_not_a_crash():
    env = dict(os.environ, PYTHONIOENCODING="ascii", MEMOGRAD_LANG="zh-CN")
    done = subprocess.run([sys.executable, "-m", "autograd.cli", *CHINESE], capture_output=True,
                          text=True, timeout=60, env=env)
    assert done.returncode == 0 and done.stderr == "" and done.stdout.isascii()
    assert "\\u8282\\u70b9" in done.stdout  # 节点


# -- columns that line up ---------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_chinese_node_names_line_up_in_every_language(capsys, lang):
    code, out, err = run(capsys, *CHINESE, "--lang", lang)
    assert code == 0 and err == ""
    table = out.splitlines()[3:]
    assert [line.split("  ")[0] for line in table[1:]] == [
        "权重*输入 + 偏置", "权重*输入", "偏置", "权重", "输入"]
    header = column_starts(table[0])
    for line in table[1:]:  # each of node, op, value and ∂C/∂node starts where its header does
        assert column_starts(line)[:4] == header[:4], line
    # and each cell is padded to its column's display width
    name_width = header[1] - 2
    assert all(display_width(line[: line.index("  ")].rstrip()) <= name_width for line in table)


def test_the_issue_s_example_in_simplified_chinese(capsys):
    code, out, _ = run(capsys, "--lang", "zh-CN", *CHINESE)
    assert code == 0 and out == (
        "权重*输入 + 偏置  在 权重=2、输入=3、偏置=1 处\n"
        "输出 = 7；C = 输出，所以 ∂C/∂C = 1\n"
        "\n"
        "节点              运算    值  ∂C/∂(节点)  局部导数 ∂(节点)/∂(父节点)\n"
        "权重*输入 + 偏置  +       7   1           权重*输入: 1, 偏置: 1\n"
        "权重*输入         *       6   1           权重: 3, 输入: 2\n"
        "偏置              叶节点  1   1\n"
        "权重              叶节点  2   3\n"
        "输入              叶节点  3   2\n")


# -- the README ---------------------------------------------------------------------------------

def test_readme_shows_the_real_chinese_output(capsys):
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## The `memograd` command", 1)[1].split("\n## ", 1)[0]
    command = '$ memograd trace "权重*输入 + 偏置" --at 权重=2 输入=3 偏置=1 --lang zh-CN\n'
    code, out, _ = run(capsys, *CHINESE, "--lang", "zh-CN")
    assert code == 0 and f"```\n{command}{out}```" in section
    assert "--lang" in section and "MEMOGRAD_LANG" in section


# -- pictures ---------------------------------------------------------------------------------

def test_the_page_speaks_the_command_s_language(capsys, tmp_path):
    from autograd.viz import find_dot

    if find_dot() is None:
        pytest.skip("no graphviz-pure or dot found")
    page = tmp_path / "p.html"
    code, out, err = run(capsys, *TRACE, "--html", str(page), "--lang", "zh-TW")
    assert code == 0 and err == "" and out.startswith(f"已寫入 {page}\nx*y + x  在 ")
    text = page.read_text("utf-8")
    assert '<html lang="zh-TW">' in text and "<title>x*y + x  在 x=2、y=3 處</title>" in text


def test_a_png_that_replaced_characters_says_so_in_one_line(capsys, tmp_path):
    from autograd.viz import find_dot, render

    if find_dot() is None or not render.is_pure(find_dot()):
        pytest.skip("only graphviz-pure's PNG replaces characters")
    picture = tmp_path / "g.png"
    code, out, err = run(capsys, *CHINESE, "--png", str(picture), "--lang", "zh-CN")
    assert code == 0 and out.startswith(f"已写入 {picture}\n") and picture.exists()
    assert err.count("\n") == 1 and err.startswith(
        "memograd trace: 注意：graphviz-pure draws ASCII only in a PNG: replaced ")
