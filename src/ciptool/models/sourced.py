"""A record together with the file and YAML path it was read from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from ciptool.findings import Location, format_yaml_path

T = TypeVar("T")
YamlPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Sourced(Generic[T]):
    """``record`` as read from ``file`` (repository-relative, with / separators) at ``path``."""

    record: T
    file: str
    path: YamlPath

    def at(self, *subpath: str | int, key: bool = False) -> Location:
        """A location inside this record, to be given a line and column after the checks run."""
        full = (*self.path, *subpath)
        return Location(self.file, yaml_path=format_yaml_path(full), path=full, on_key=key)
