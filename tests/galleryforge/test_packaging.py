"""Themes, templates, site sources and presets load from an installed wheel, not only from a
checkout; the wheel installs one import package, so nothing of it can be shadowed by a user's
``train.py``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_carries_themes_templates_site_and_presets(tmp_path: Path) -> None:
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)],
        check=True,
    )
    wheel = next(wheels.glob("galleryforge-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True)
    probe = (
        "from galleryforge.resources import data_dir\n"
        "from galleryforge.themes import load_theme, available_themes\n"
        "print(data_dir('themes')); print(data_dir('templates')); print(data_dir('site'))\n"
        "print(sorted(available_themes())); print(load_theme('paper').figure.width_in)\n"
        "print(data_dir('presets'))\n"
        "from galleryforge.train import load_preset, preset_names\n"
        "print(sorted(preset_names())); print(load_preset('C-small').target_l0)\n"
    )
    # Run from an empty folder with only the installed copy on the path: no checkout to fall
    # back on.
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r})\n" + probe],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.splitlines()
    for line in [*lines[:3], lines[5]]:
        assert line.startswith(str(site / "galleryforge" / "_data")), line
    assert lines[3] == str(sorted(["blog", "dark", "paper", "presentation", "social"]))
    assert lines[4] == "5.5"
    assert "'B-small'" in lines[6] and "'widths-small'" in lines[6]
    assert lines[7] == "20.0"  # C-small's controller target, read from the wheel's preset
    packages = {p.name for p in site.iterdir() if (p / "__init__.py").is_file()}
    assert packages == {"galleryforge"}  # bin/ holds the console script
