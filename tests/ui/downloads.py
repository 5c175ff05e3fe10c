"""Read what a page's download buttons would hand out: AppTest keeps no media after a run, so the
files are caught as Streamlit registers them (static bytes or deferred callables) and built on demand."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager


class Downloads:
    """File name → a function returning that download's bytes, for the files registered so far."""

    def __init__(self) -> None:
        self.files: dict[str, Callable[[], bytes]] = {}

    def __contains__(self, name: object) -> bool:
        return name in self.files

    def names(self) -> list[str]:
        """The file names offered, in the order they were (last) registered."""
        return list(self.files)

    def read(self, name: str) -> bytes:
        """Build the download ``name`` as a click would."""
        data = self.files[name]()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Downloads]:
    """Catch every download button's file while the test runs."""
    caught = Downloads()
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def spy_add(self: MediaFileManager, path_or_data: Any, mimetype: str, coordinates: str,
                file_name: str | None = None, is_for_static_download: bool = False) -> str:
        if is_for_static_download and file_name and isinstance(path_or_data, bytes):
            caught.files.pop(file_name, None)
            caught.files[file_name] = lambda: path_or_data
        return add(self, path_or_data, mimetype, coordinates, file_name, is_for_static_download)

    def spy_deferred(self: MediaFileManager, data_callable: Callable[[], Any], mimetype: str | None,
                     coordinates: str, file_name: str | None = None, *, element_id: str = "") -> str:
        if file_name:
            caught.files.pop(file_name, None)
            caught.files[file_name] = data_callable
        return add_deferred(self, data_callable, mimetype, coordinates, file_name, element_id=element_id)

    monkeypatch.setattr(MediaFileManager, "add", spy_add)
    monkeypatch.setattr(MediaFileManager, "add_deferred", spy_deferred)
    yield caught
