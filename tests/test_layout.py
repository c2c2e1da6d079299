"""The source layout that keeps the standard library's ``platform`` module reachable."""

import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_platform_folder_is_a_source_root_not_a_package():
    assert not (ROOT / "platform" / "__init__.py").exists()
    assert (ROOT / "platform" / "channelfront" / "__init__.py").is_file()


def test_import_platform_is_the_standard_library():
    assert Path(platform.__file__).parent == Path(sys.modules["os"].__file__).parent
    assert platform.python_version().startswith("3.")


def test_incentives_engine_imports_neither_flask_nor_sqlalchemy():
    for path in (ROOT / "incentives").rglob("*.py"):
        text = path.read_text()
        assert "import flask" not in text, path
        assert "from flask" not in text, path
        assert "sqlalchemy" not in text, path
