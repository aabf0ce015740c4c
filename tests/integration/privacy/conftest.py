from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from chat_widget.adapters.file_store import LocalFileStore
from chat_widget.audit import install_audit_guards


@pytest.fixture
def engine(db_engine: Engine) -> Engine:
    """The test database with the production audit triggers: any audit delete would fail."""
    install_audit_guards(db_engine)
    return db_engine


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "private-files")
