"""`memograd demo`: trains with a progress bar, writes the model and the decision-boundary plot."""

import builtins
import subprocess
import sys

import pytest

import nn
from autograd.cli import main


def test_demo_writes_a_loadable_model_and_a_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed (notebooks extra)")
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--epochs", "3"]) == 0
    captured = capsys.readouterr()
    assert "3/3" in captured.err and "loss=" in captured.err  # the tqdm bar
    assert "for 3 epochs" in captured.out
    assert f"wrote {out / 'model.json'}" in captured.out
    assert f"wrote {out / 'decision_boundary.png'}" in captured.out
    model = nn.load(out / "model.json")
    assert isinstance(model, nn.MLP) and model.sizes == [2, 16, 16, 1]
    assert (out / "decision_boundary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the saved model is the trained one: its accuracy is the one printed
    data = nn.datasets.moons(100, noise=0.1, seed=0, labels=(-1, 1))
    accuracy = nn.evaluate(model, data).accuracy
    assert f"training accuracy {accuracy:.0%}" in captured.out


def test_demo_user_errors_exit_2_with_one_line(tmp_path, capsys):
    assert main(["demo", "--epochs", "0", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--epochs must be at least 1" in err
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert main(["demo", "--out", str(a_file), "--epochs", "1", "--no-progress"]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_demo_without_matplotlib_says_which_extra_before_training(tmp_path, capsys,
                                                                  monkeypatch):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    assert main(["demo", "--out", str(tmp_path / "d"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "memograd demo: error:" in err and "memograd[notebooks]" in err
    assert not (tmp_path / "d").exists()


def test_the_engine_does_not_import_nn_or_heavy_libraries():
    code = ("import sys, autograd, autograd.cli, nn; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'torch', 'tqdm', 'matplotlib', 'sklearn', 'numpy'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
    engine_only = subprocess.run(
        [sys.executable, "-c", "import sys, autograd, autograd.cli; print('nn' in sys.modules)"],
        capture_output=True, text=True, check=True).stdout
    assert engine_only.strip() == "False"
