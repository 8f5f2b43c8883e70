"""tools/make_course.py writes a course nbgrader can use (tests/test_autograde.py grades it)."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_course", ROOT / "tools" / "make_course.py")
make_course = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_course)


def test_one_assignment_per_exercise_and_the_course_settings(tmp_path):
    names = make_course.write_course(tmp_path, timeout=120)
    solutions = sorted(p.name for p in (ROOT / "exercises" / "solutions").glob("*.ipynb"))
    assert sorted(names.values()) == solutions and list(names)[0] == "ex00"
    for assignment, name in names.items():
        copied = tmp_path / "source" / assignment / name
        assert copied.read_bytes() == (ROOT / "exercises" / "solutions" / name).read_bytes()
    config = (tmp_path / "nbgrader_config.py").read_text()
    assert "c.Execute.timeout = 120" in config and "interrupt_on_timeout = True" in config
    assert "add_missing_cells = True" in config and str(tmp_path) in config


@pytest.mark.parametrize("timeout", [0, 2.5, True, "60"])
def test_a_bad_timeout_is_refused_by_name(tmp_path, timeout):
    with pytest.raises(ValueError, match="timeout"):
        make_course.write_course(tmp_path, timeout=timeout)
    assert not any(tmp_path.iterdir())


def test_a_non_empty_folder_needs_force(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert make_course.main([str(tmp_path)]) == 1
    assert "--force" in capsys.readouterr().err
    assert not (tmp_path / "nbgrader_config.py").exists()
    assert make_course.main([str(tmp_path), "--force"]) == 0
    assert (tmp_path / "notes.txt").read_text() == "mine"
