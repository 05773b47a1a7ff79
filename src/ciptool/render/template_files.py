"""A repository's own templates, read from its ``templates/`` folder and nowhere else.

A template names others (``include``, ``extends``, ``import``), and a file or a folder in
``templates/`` may be a symbolic link: a template that leads outside the folder (to
``/etc/passwd``, to a file elsewhere in the repository) is refused, and so is a ``templates/``
that is itself a link leading outside the repository, so that nothing outside can be copied
into a report. Only a regular file of at most :data:`MAX_TEMPLATE_BYTES` is read, opened without
waiting (a FIFO or a device named ``*.j2`` is refused), and it must be UTF-8.

Every refusal is a usage error naming the template; a name that is not there is
``TemplateNotFound``, so that ciptool's own template of that name is used.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path

from ciptool.errors import UsageError
from ciptool.fileio.regular import FileTooLarge, NotRegularFile, read_regular_file

TEMPLATES_DIR = "templates"
#: Largest template read. ciptool's largest own template is under 8 KB.
MAX_TEMPLATE_BYTES = 1024 * 1024


class RepositoryTemplates(jinja2.BaseLoader):
    """Templates from ``root/templates``, each read only if it is what it seems to be."""

    def __init__(self, root: Path) -> None:
        self.root = root
        #: The templates read, by repository-relative path (``templates/soc2.md.j2``).
        self.served: set[str] = set()

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        """The template's text, its repository-relative path (which errors name) and an
        up-to-date check; TemplateNotFound when the folder has no such file.
        """
        pieces = split_template_path(template)  # refuses `..`
        rel = "/".join((TEMPLATES_DIR, *pieces))
        folder = os.path.join(self.root, TEMPLATES_DIR)  # noqa: PTH118 - text paths
        real_folder = os.path.realpath(folder)
        if not _inside(real_folder, os.path.realpath(self.root)):
            raise UsageError(
                f"{rel}: {TEMPLATES_DIR}/ is a symbolic link leading outside the repository,"
                " and no template in it is read"
            )
        path = os.path.join(folder, *pieces)  # noqa: PTH118
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        real = os.path.realpath(path)
        if not _inside(real, real_folder):
            linked = Path(path).is_symlink()
            what = "this symbolic link" if linked else "a linked folder on this path"
            raise UsageError(f"{rel}: {what} leads outside {TEMPLATES_DIR}/ and was not read")
        text = _read(rel, real)
        self.served.add(rel)
        return text, rel, lambda: True


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _read(rel: str, real: str) -> str:
    """The text of the template at ``real`` (a path with no links left), or a usage error."""
    try:
        data = read_regular_file(real, MAX_TEMPLATE_BYTES, follow_links=False)
    except FileNotFoundError:
        raise UsageError(f"{rel}: this symbolic link points to nothing that can be read") from None
    except NotRegularFile:
        raise UsageError(
            f"{rel}: this is not a regular file (a folder, a FIFO, a device or a socket)"
            " and was not read"
        ) from None
    except FileTooLarge as exc:
        raise UsageError(
            f"{rel}: the file is {exc.size:,} bytes; ciptool reads templates of at most"
            f" {MAX_TEMPLATE_BYTES:,} bytes"
        ) from None
    except OSError as exc:
        raise UsageError(f"{rel}: cannot read the file: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UsageError(f"{rel}:{line}: byte 0x{data[exc.start]:02X} is not valid UTF-8") from None
