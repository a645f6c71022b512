"""README's "Coming from PyTorch": the homework script and its memograd version, taken
from the README's diff, give the same losses epoch by epoch (torch in float64, from the
same starting weights, with the same batches); only imports, tensor-only lines and the
torch functions the table maps differ."""

import random
import re
from pathlib import Path

import pytest

import nn

README = Path(__file__).resolve().parent.parent / "README.md"


def section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("## Coming from PyTorch\n", 1)[1].split("\n## ", 1)[0]


def versions() -> tuple[str, str]:
    """(PyTorch script, memograd script) from the section's diff block."""
    (diff,) = re.findall(r"```diff\n(.+?)```", section(), re.S)
    torch_lines, memograd_lines = [], []
    for line in diff.splitlines():
        mark, rest = line[:1], line[1:]
        assert mark in ("", " ", "-", "+"), line
        if mark in ("", " ", "-"):
            torch_lines.append(rest)
        if mark in ("", " ", "+"):
            memograd_lines.append(rest)
    return "\n".join(torch_lines) + "\n", "\n".join(memograd_lines) + "\n"


def run_block() -> str:
    (block,) = re.findall(r"```python\n(.+?)```", section(), re.S)
    return block


def test_only_imports_tensor_lines_and_mapped_functions_differ():
    (diff,) = re.findall(r"```diff\n(.+?)```", section(), re.S)
    removed = [line[1:].strip() for line in diff.splitlines() if line.startswith("-")]
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+")]
    imports = [line for line in removed if line.startswith(("import ", "from "))]
    assert imports == ["import torch", "from torch import nn",
                       "from torch.utils.data import DataLoader, Dataset"]
    tensor_only = ["torch.tensor(", ".squeeze(1)", ".to(device), y.to(device)", "torch.cuda"]
    renamed = {"torch.optim.SGD(": "nn.optim.SGD(", "torch.no_grad(": "autograd.no_grad(",
               "torch.save(": "nn.save(", "torch.manual_seed(": "nn.manual_seed("}
    for line in removed:
        assert line in imports or any(t in line for t in tensor_only) or any(
            old in line for old in renamed), line
    # each renamed line is the same line with the function's new name; the table says so
    table = section().split("```diff", 1)[0]
    for old, new in renamed.items():
        (before,) = [line for line in removed if old in line]
        assert before.replace(old, new) in added
        assert old in table and new in table
    assert len(removed) == 12 and len(added) == 9


@pytest.fixture
def torch():
    torch = pytest.importorskip("torch", reason="torch is not installed (torch extra)")
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # the script's torch.tensor and nn.Linear in float64
    yield torch
    torch.set_default_dtype(default)


def test_the_memograd_version_and_the_torch_version_give_the_same_losses(
        torch, tmp_path, monkeypatch, capsys):
    torch_script, memograd_script = versions()
    monkeypatch.chdir(tmp_path)

    # memograd: the README's script, then its run block as it is
    ours: dict = {}
    exec(memograd_script, ours)
    exec(run_block(), ours)
    history, config = ours["history"], ours["config"]
    out = capsys.readouterr().out
    assert f"Epoch [1/{config['n_epochs']}]: Train loss: " in out
    assert 5 < len(history) < config["n_epochs"]  # early stopping stopped it
    assert "Model is not improving" in out
    valid = [v for _, v in history]
    assert history[-1][0] < 0.5 * history[0][0]  # it learnt
    # the file holds the best epoch's state dict, which the run block loaded
    saved = nn.load(tmp_path / "model.json")
    assert isinstance(saved, dict) and next(iter(saved)) == "layers.0.weight"
    assert ours["model"].state_dict() == saved
    best = min(valid)
    assert valid.index(best) == len(valid) - 1 - config["early_stop"]

    # torch: the same script, from the starting weights memograd drew, with its batches
    nn.manual_seed(config["seed"])
    start = ours["My_Model"](input_dim=1).state_dict()
    theirs: dict = {}
    exec(torch_script, theirs)

    class MemogradOrder(torch.utils.data.Sampler):
        """The order nn.data.DataLoader(shuffle=True, seed=0) draws, epoch by epoch."""

        def __init__(self, n):
            self.n, self.rng = n, random.Random(0)

        def __iter__(self):
            order = list(range(self.n))
            self.rng.shuffle(order)
            return iter(order)

        def __len__(self):
            return self.n

    torch_loader, torch_model = theirs["DataLoader"], theirs["My_Model"]

    def data_loader(dataset, batch_size, shuffle):
        return torch_loader(dataset, batch_size=batch_size,
                            sampler=MemogradOrder(len(dataset)) if shuffle else None)

    def my_model(input_dim):
        model = torch_model(input_dim)
        model.load_state_dict({k: torch.tensor(v) for k, v in start.items()})
        return model

    theirs["DataLoader"], theirs["My_Model"] = data_loader, my_model
    data = nn.datasets.combat_power(n=40, seed=0, scale=0.01)
    x, y = data.inputs, data.targets
    t_history = theirs["main"](x[:30], y[:30], x[30:], y[30:],
                               {**config, "save_path": str(tmp_path / "model.pt")})
    assert len(t_history) == len(history)
    for epoch, (mine, want) in enumerate(zip(history, t_history)):
        assert mine == pytest.approx(want, rel=1e-9, abs=1e-12), epoch
    t_saved = torch.load(tmp_path / "model.pt")
    assert list(t_saved) == list(saved)
    for key, tensor in t_saved.items():
        assert torch.tensor(saved[key]).flatten().tolist() == pytest.approx(
            tensor.flatten().tolist(), rel=1e-9, abs=1e-12), key


def test_the_memograd_version_runs_without_torch():
    _, memograd_script = versions()
    assert "torch" not in memograd_script
    assert "torch" not in run_block()


def test_lesson_9_runs_the_readmes_script_and_run_block():
    """The lesson ports the same script: its cells hold the README's memograd version
    (its imports in the lesson's first cell) and the run block, verbatim."""
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (notebooks extra)")
    path = README.parent / "notebooks" / "09_from_pytorch.ipynb"
    code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    _, memograd_script = versions()
    imports = [line for line in memograd_script.splitlines()
               if line.startswith(("import ", "from "))]
    body = "\n".join(line for line in memograd_script.splitlines()
                     if line not in imports).strip()
    assert all(line in code[0].splitlines() for line in imports)
    assert body in code
    assert run_block().strip() in code


def test_a_classification_homework_gives_torchs_losses():
    """The course's classification homework shape: Sequential of Linear/ReLU, CrossEntropyLoss
    with class indices, AdamW, a DataLoader loop in train mode, validation under no_grad in
    eval mode, the predicted class as the argmax; torch in float64 from the same weights and
    batches gives the same losses to 1e-9, epoch by epoch."""
    torch = pytest.importorskip("torch")
    import autograd

    rng = random.Random(5)
    inputs = [[rng.uniform(-2, 2) for _ in range(4)] for _ in range(60)]
    labels = [int(x[0] + x[1] > 0) + int(x[2] > 0.5) for x in inputs]  # 3 classes
    train, valid = nn.data.ListDataset(inputs[:48], labels[:48]), (inputs[48:], labels[48:])

    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(),
                                 torch.nn.Linear(8, 3)).double()
    theirs.load_state_dict({k: torch.tensor(v, dtype=torch.float64)
                            for k, v in model.state_dict().items()})
    criterion, torch_criterion = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    optimizer = nn.optim.AdamW(model.parameters(), lr=0.05, weight_decay=0.01)
    torch_optimizer = torch.optim.AdamW(theirs.parameters(), lr=0.05, weight_decay=0.01)
    loader = nn.data.DataLoader(train, batch_size=16, shuffle=True, seed=3)
    for _ in range(4):
        model.train()
        theirs.train()
        for x, y in loader:
            optimizer.zero_grad()
            torch_optimizer.zero_grad()
            loss = criterion(model(x), y)
            torch_loss = torch_criterion(theirs(torch.tensor(x, dtype=torch.float64)),
                                         torch.tensor(y))
            loss.backward()
            torch_loss.backward()
            optimizer.step()
            torch_optimizer.step()
            assert loss.item() == pytest.approx(torch_loss.item(), rel=1e-9, abs=1e-12)
        model.eval()
        theirs.eval()
        with autograd.no_grad(), torch.no_grad():
            out = model(valid[0])
            torch_out = theirs(torch.tensor(valid[0], dtype=torch.float64))
            valid_loss = criterion(out, valid[1]).item()
            assert valid_loss == pytest.approx(
                torch_criterion(torch_out, torch.tensor(valid[1])).item(), rel=1e-9)
            predicted = [max(range(3), key=lambda k, row=row: row[k].data) for row in out]
            assert predicted == torch_out.argmax(dim=1).tolist()
