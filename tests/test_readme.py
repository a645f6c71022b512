"""The README's set-up commands: exactly two, and CI runs the test one verbatim."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Set up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_two_one_line_commands():
    found = commands()
    assert len(found) == 2 and all("\n" not in c for c in found)
    assert "memograd" in found[0]
    assert "pytest" in found[1]
    assert "ruff check ." in found[1] and "mypy" in found[1]  # lint and types, then tests


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert commands()[1] in ci


def test_every_package_is_installed():
    """A regular (not editable) install ships every package, subpackages included."""
    import fnmatch
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [".".join(p.parent.relative_to(ROOT).parts)
                for top in ("autograd", "nn") for p in (ROOT / top).rglob("__init__.py")]
    assert "nn.optim" in packages
    for name in packages:
        assert any(fnmatch.fnmatchcase(name, pattern) for pattern in include), name


def test_the_message_catalogs_ship_with_the_package():
    """A regular install carries autograd/locale (autograd.i18n reads the .po text there):
    package-data's globs, as setuptools reads them, match every catalog file."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["autograd"]
    package = ROOT / "autograd"
    shipped = {path for pattern in patterns for path in package.glob(pattern)}
    catalogs = {p for p in (package / "locale").rglob("*") if p.is_file()}
    assert {p.relative_to(package).as_posix() for p in catalogs} >= {
        "locale/memograd.pot", "locale/zh_CN/LC_MESSAGES/memograd.po",
        "locale/zh_TW/LC_MESSAGES/memograd.po"}
    assert catalogs <= shipped, sorted(str(p) for p in catalogs - shipped)
