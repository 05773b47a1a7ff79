"""Finding the repository and its files, and reading each file safely as text.

Limits (documented in the README): a YAML file may be at most :data:`MAX_FILE_BYTES`; a file
with a NUL byte in its first 8 KiB is binary; text must be UTF-8 (a byte-order mark is
allowed); a symbolic link is read only when it resolves inside the repository, and linked
folders are never descended into.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ciptool.fileio.regular import FileReplaced, FileTooLarge, NotRegularFile, read_regular_file
from ciptool.findings import Finding, Location, Severity
from ciptool.loader.identities import Signature, signature

#: Largest YAML file read. A 10,000-control program split across files stays far below it.
MAX_FILE_BYTES = 16 * 1024 * 1024
_BINARY_SNIFF = 8192
YAML_SUFFIXES = (".yaml", ".yml")


def relative(root: Path, path: Path) -> str:
    """``path`` relative to ``root``, written with / whatever the platform."""
    return path.relative_to(root).as_posix()


@dataclass(frozen=True)
class FoundFile:
    """A file to load, by its repository-relative name, with its signature when it was found."""

    rel: str
    path: Path
    signature: Signature | None = None


def walk_yaml(
    root: Path,
    folder: str,
    findings: list[Finding],
    *,
    skip_dir: str = "",
    others: list[str] | None = None,
    listed: dict[str, Signature] | None = None,
) -> Iterator[FoundFile]:
    """YAML files under ``root/folder`` in sorted order; hidden entries are passed over.

    Links that leave the repository become findings; folders named ``skip_dir`` hold no YAML
    to load. With ``others``, every other file is listed in it, those in ``skip_dir`` folders
    included, README files not (the evidence files under ``evidence/``, found in the same
    walk). Each file found carries its signature; with ``listed``, the folders listed are
    recorded in it with theirs.
    """
    base = root / folder
    if base.is_symlink():
        if listed is not None:
            listed[folder] = signature(base)
        if not _check_link(root, base, findings, folder_link=False):
            return  # a top-level folder linked inside the repository is followed
    if not base.is_dir():
        if listed is not None:
            listed[folder] = signature(base)
        return
    walk = _Walk(root, findings, skip_dir, others, listed)
    yield from walk.folder(folder, skipped=False)


@dataclass(frozen=True)
class _Walk:
    """What a walk carries down the folders, and the walk of one folder."""

    root: Path
    findings: list[Finding]
    skip_dir: str
    others: list[str] | None
    listed: dict[str, Signature] | None

    def folder(self, rel_dir: str, *, skipped: bool) -> Iterator[FoundFile]:
        """The files of one folder by name, then those of its folders, in name order.

        ``skipped`` is true inside a ``skip_dir`` folder, walked only to list ``others``.
        """
        here = os.path.join(self.root, rel_dir)  # noqa: PTH118 - text paths, one per file
        if self.listed is not None:
            self.listed[rel_dir] = signature(here)
        try:
            with os.scandir(here) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            return  # a folder that cannot be listed is passed over, as os.walk does
        folders = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                is_folder = entry.is_dir()  # links followed, so a linked folder is one too
            except OSError:
                is_folder = False
            if is_folder:
                inside = skipped or name == self.skip_dir
                if inside and self.others is None:
                    continue
                if entry.is_symlink():
                    if not inside:
                        _check_link(self.root, Path(entry.path), self.findings, folder_link=True)
                else:
                    folders.append((f"{rel_dir}/{name}", inside))
                continue
            if skipped or not name.endswith(YAML_SUFFIXES):
                if self.others is not None and not name.lower().startswith("readme"):
                    self.others.append(f"{rel_dir}/{name}")  # documentation is not evidence
                continue
            path = Path(entry.path)
            if entry.is_symlink() and not _check_link(
                self.root, path, self.findings, folder_link=False
            ):
                continue
            rel = f"{rel_dir}/{name}"
            if not _is_regular(entry):
                self.findings.append(_not_regular(rel))
                continue
            yield FoundFile(rel, path, signature(entry.path))
        for sub, inside in folders:
            yield from self.folder(sub, skipped=inside)


def _check_link(root: Path, link: Path, findings: list[Finding], *, folder_link: bool) -> bool:
    """True when the link stays inside the repository; a finding when it does not."""
    rel = relative(root, link)
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):
        findings.append(
            Finding(
                "LD013",
                Severity.ERROR,
                "this symbolic link points to nothing that can be read",
                Location(rel, 1, 1),
                "Remove the link or point it at a file inside the repository.",
            )
        )
        return False
    if not target.is_relative_to(root):
        findings.append(
            Finding(
                "LD007",
                Severity.ERROR,
                "this symbolic link leads outside the repository and was not read",
                Location(rel, 1, 1),
                "Copy the file into the repository instead of linking to it.",
            )
        )
        return False
    if folder_link:
        findings.append(
            Finding(
                "LD007",
                Severity.NOTE,
                "linked folders are not followed (their target is read where it lives)",
                Location(rel, 1, 1),
                "Remove the link if the folder is already in the repository.",
            )
        )
        return False
    return True


def _is_regular(entry: os.DirEntry[str]) -> bool:
    """True when the entry (a link followed) is a regular file: a FIFO would block the read."""
    try:
        return entry.is_file()
    except OSError:
        return False


def _not_regular(rel: str) -> Finding:
    return Finding(
        "LD013",
        Severity.ERROR,
        "this is not a regular file (a FIFO, a device or a socket) and was not read",
        Location(rel, 1, 1),
        "Replace it with a regular file, or remove it.",
    )


def read_text(rel: str, path: Path) -> tuple[str | None, Finding | None]:
    """The file's text, or the finding that says why it cannot be read as YAML text."""
    raw, problem = read_yaml_bytes(rel, path)
    if raw is None:
        return None, problem
    return decode_yaml(rel, raw)


def read_yaml_bytes(
    rel: str, path: str | Path, inode: int | None = None
) -> tuple[bytes | None, Finding | None]:
    """The file's bytes, or the finding that says why they cannot be YAML text.

    With ``inode``, the file's when the walk found it, another file found at the path (a link
    swapped in since, which could lead anywhere) is a finding and is not read.
    """
    try:
        data = read_regular_file(path, MAX_FILE_BYTES, inode=inode)
    except NotRegularFile:
        return None, _not_regular(rel)
    except FileReplaced:
        return None, Finding(
            "LD013",
            Severity.ERROR,
            "the file changed while it was read (another file took its place); it was not read",
            Location(rel),
            "Run ciptool again once nothing is changing the repository.",
        )
    except FileTooLarge as exc:
        return None, _too_large(rel, exc.size)
    except OSError as exc:
        return None, Finding(
            "LD013",
            Severity.ERROR,
            f"cannot read the file: {exc.strerror or exc}",
            Location(rel),
            "Check the file's permissions.",
        )
    if b"\x00" in data[:_BINARY_SNIFF]:
        return None, Finding(
            "LD009",
            Severity.ERROR,
            "this is a binary file, not YAML text",
            Location(rel, 1, 1),
            "Move binary evidence into a `files/` folder and list it in an evidence record.",
        )
    return data, None


def _too_large(rel: str, size: int) -> Finding:
    return Finding(
        "LD008",
        Severity.ERROR,
        f"file is {size:,} bytes; ciptool reads YAML files up to {MAX_FILE_BYTES:,} bytes",
        Location(rel, 1, 1),
        "Split the records across several files.",
    )


def decode_yaml(rel: str, data: bytes) -> tuple[str | None, Finding | None]:
    """The text of a YAML file's bytes (UTF-8, a byte-order mark allowed), or why not."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8")) + 1  # characters, not bytes
        return None, Finding(
            "LD010",
            Severity.ERROR,
            f"byte 0x{data[exc.start]:02X} is not valid UTF-8",
            Location(rel, line, column),
            "Save the file as UTF-8 (most editors offer this under 'Save with encoding').",
        )
