"""The repository stands on its own: the README stays a short manual and nothing it ships
points at files outside it."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README_MAX_LINES = 200


def tracked_text_files():
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode().split("\0")
    for name in filter(None, names):
        path = ROOT / name
        if path.suffix in {".py", ".md", ".html", ".txt", ".yml", ".toml", ".cfg", ".sh", ".po"}:
            yield path


def test_readme_is_a_short_manual():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES


def test_nothing_points_outside_the_repository():
    outside = "../" + "shared"
    offenders = [
        str(path.relative_to(ROOT))
        for path in tracked_text_files()
        if outside in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert offenders == []
