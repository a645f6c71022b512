"""autograd.files: output files follow symlinks, keep their permissions, are never
half-written, and special files are written in place; bad paths are OSErrors
naming the path as given. Also the writers built on it (nn.save, History.plot,
viz.save, walkthrough)."""

import os
import re
import stat
import threading
from pathlib import Path

import pytest
from conftest import micrograd_neuron

import nn
from autograd.files import check_writable, write_atomically
from autograd.viz import find_dot

ROOT = Path(__file__).resolve().parent.parent
needs_renderer = pytest.mark.skipif(find_dot() is None, reason="no graphviz-pure or dot found")
as_root = os.name == "posix" and os.geteuid() == 0


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# -- regular files and symlinks --------------------------------------------------------

def test_a_new_file_gets_the_umask_mode(tmp_path, umask_022):
    path = write_atomically(tmp_path / "a.txt", "héllo")
    assert path == tmp_path / "a.txt"
    assert path.read_bytes() == "héllo".encode()
    assert mode(path) == 0o644
    os.umask(0o077)
    assert mode(write_atomically(tmp_path / "private.bin", b"\x00\x01")) == 0o600


def test_an_existing_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("old")
    path.chmod(0o640)
    write_atomically(path, "new")
    assert path.read_text() == "new" and mode(path) == 0o640
    assert os.listdir(tmp_path) == ["a.txt"]  # no temporary file left


def test_a_symlink_is_followed_and_its_target_written_beside_itself(tmp_path, monkeypatch):
    (tmp_path / "real").mkdir()
    (tmp_path / "links").mkdir()
    target = tmp_path / "real" / "graph.svg"
    target.write_text("old")
    target.chmod(0o604)
    link = tmp_path / "links" / "graph.svg"
    link.symlink_to(os.path.join("..", "real", "graph.svg"))
    renames = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: renames.append((a, b)) or real_replace(a, b))

    assert write_atomically(link, "new") == link
    assert link.is_symlink() and os.readlink(link) == os.path.join("..", "real", "graph.svg")
    assert target.read_text() == "new" and mode(target) == 0o604
    [(temp, final)] = renames
    assert Path(temp).parent == target.parent and Path(final) == target  # beside the target
    assert os.listdir(tmp_path / "real") == ["graph.svg"]
    assert os.listdir(tmp_path / "links") == ["graph.svg"]


def test_a_chain_of_symlinks_and_a_dangling_one(tmp_path, umask_022):
    target = tmp_path / "t.txt"
    (tmp_path / "b").symlink_to(target)
    (tmp_path / "a").symlink_to(tmp_path / "b")
    write_atomically(tmp_path / "a", "made through a dangling link")
    assert (tmp_path / "a").is_symlink() and (tmp_path / "b").is_symlink()
    assert target.read_text() == "made through a dangling link" and mode(target) == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("old")

    def fail(f):
        f.write(b"half")
        raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError, match="renderer crashed"):
        write_atomically(path, fail)
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["a.txt"]


def test_an_error_while_writing_names_the_given_path(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"

    def full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError, match=re.escape(f"cannot write {str(path)!r}: No space")) as e:
        write_atomically(path, "x")
    assert ".tmp" not in str(e.value) and e.value.errno == 28
    assert os.listdir(tmp_path) == []


# -- special files are written in place -------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_is_written_directly_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    write_atomically(fifo, b"through the pipe")
    reader.join(timeout=10)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="POSIX devices")
def test_dev_null_works_and_stays_a_device(tmp_path):
    assert write_atomically("/dev/null", "nothing") == Path("/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    link = tmp_path / "sink"
    link.symlink_to("/dev/null")
    write_atomically(link, b"x")
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert not check_writable("/dev/null").atomic


# -- paths that cannot be written -------------------------------------------------------

@pytest.mark.parametrize(("given", "kind", "reason"), [
    ("", FileNotFoundError, "empty"),
    (".", IsADirectoryError, "a folder"),
    ("{tmp}", IsADirectoryError, "a folder"),
    ("{tmp}/missing/out.svg", FileNotFoundError, "folder '{tmp}/missing' does not exist"),
    ("{tmp}/new/", IsADirectoryError, "a name ending in a separator is a folder"),
    ("{tmp}/file.txt/out.svg", NotADirectoryError, "Not a directory"),
])
def test_a_path_that_cannot_be_written_is_an_os_error_naming_it(tmp_path, given, kind, reason):
    (tmp_path / "file.txt").write_text("keep")
    given = given.format(tmp=tmp_path)
    for call in (check_writable, lambda p: write_atomically(p, "x")):
        with pytest.raises(kind) as e:
            call(given)
        message = str(e.value)
        assert message.startswith(f"cannot write {given!r}: ")
        assert reason.format(tmp=tmp_path) in message and ".tmp" not in message
    assert sorted(os.listdir(tmp_path)) == ["file.txt"]
    assert (tmp_path / "file.txt").read_text() == "keep"


def test_a_link_to_a_folder_or_into_a_missing_one_names_the_link(tmp_path):
    (tmp_path / "to_dir").symlink_to(tmp_path)
    with pytest.raises(IsADirectoryError, match=r"'.*to_dir': it links to .*, which is a folder"):
        write_atomically(tmp_path / "to_dir", "x")
    (tmp_path / "to_nowhere").symlink_to(tmp_path / "gone" / "x.svg")
    with pytest.raises(FileNotFoundError, match=r"'.*to_nowhere': the folder '.*gone' does not"):
        write_atomically(tmp_path / "to_nowhere", "x")


@pytest.mark.skipif(as_root or os.name != "posix", reason="root may write anything")
def test_a_read_only_file_or_folder_is_refused_not_replaced(tmp_path):
    path = tmp_path / "ro.txt"
    path.write_text("old")
    path.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only"):
        write_atomically(path, "new")
    assert path.read_text() == "old"
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(PermissionError, match="no permission to create files"):
            write_atomically(folder / "x.txt", "new")
    finally:
        folder.chmod(0o755)


def test_check_writable_writes_nothing(tmp_path):
    target = check_writable(tmp_path / "new.svg")
    assert target.atomic and target.path == tmp_path / "new.svg"
    assert os.listdir(tmp_path) == []


def test_one_writer_in_the_project():
    """autograd/files.py is the only place that renames temporary files over outputs."""
    assert not (ROOT / "nn" / "_files.py").exists()
    sources = [*ROOT.glob("autograd/**/*.py"), *ROOT.glob("nn/**/*.py"),
               ROOT / "docs" / "make_graph.py", ROOT / "notebooks" / "build.py"]
    writers = [p.relative_to(ROOT).as_posix() for p in sources
               if re.search(r"os\.replace\(|os\.rename\(|mkstemp\(", p.read_text(encoding="utf-8"))]
    assert writers == ["autograd/files.py"]


# -- the writers built on it -------------------------------------------------------------

def test_nn_save_follows_symlinks_keeps_permissions_and_names_bad_paths(tmp_path):
    model = nn.MLP(2, [2, 1], seed=0)
    target = tmp_path / "weights.json"
    target.write_text("{}")
    target.chmod(0o600)
    link = tmp_path / "latest.json"
    link.symlink_to(target.name)
    assert nn.save(model, link) == link
    assert link.is_symlink() and mode(target) == 0o600
    assert nn.load(link).state_dict() == model.state_dict()
    nn.save(model, "/dev/null")
    for bad, kind in [("", FileNotFoundError), (tmp_path, IsADirectoryError),
                      (tmp_path / "no" / "m.json", FileNotFoundError)]:
        with pytest.raises(kind, match=re.escape(f"cannot write {str(bad)!r}")):
            nn.save(model, bad)
    assert sorted(os.listdir(tmp_path)) == ["latest.json", "weights.json"]


def test_history_plot_checks_its_path_and_follows_symlinks(tmp_path):
    pytest.importorskip("matplotlib")
    history = nn.History(train_loss=[1.0, 0.5], lr=[0.1, 0.1])
    with pytest.raises(FileNotFoundError, match=r"cannot write '.*missing/h\.png'"):
        history.plot(tmp_path / "missing" / "h.png")
    target = tmp_path / "h.png"
    (tmp_path / "link.png").symlink_to(target)
    history.plot(tmp_path / "link.png")
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "link.png").is_symlink()
    history.plot("/dev/null")
    assert sorted(os.listdir(tmp_path)) == ["h.png", "link.png"]


@needs_renderer
def test_viz_save_and_walkthrough_follow_symlinks_and_name_bad_paths(tmp_path):
    from autograd import walkthrough
    from autograd.viz import save

    o = micrograd_neuron()
    for name, write in [("g.svg", lambda p: save(o, p, "svg")),
                        ("w.html", lambda p: walkthrough(o, p))]:
        target = tmp_path / name
        target.write_text("old")
        target.chmod(0o640)
        link = tmp_path / f"link-{name}"
        link.symlink_to(target)
        write(link)
        assert link.is_symlink() and mode(target) == 0o640 and "<svg" in target.read_text()
        write("/dev/null")
        missing = tmp_path / "missing" / name
        with pytest.raises(FileNotFoundError, match=re.escape(f"cannot write {str(missing)!r}")):
            write(missing)
        with pytest.raises(IsADirectoryError, match=re.escape(f"cannot write {str(tmp_path)!r}")):
            write(tmp_path)
    with pytest.raises(FileNotFoundError, match="cannot write '': "):
        save(o, "", format="svg")
    assert sorted(os.listdir(tmp_path)) == ["g.svg", "link-g.svg", "link-w.html", "w.html"]
