"""YAML round trip for the writers that change a user's file in place (``ciptool audit
requests --update-from``): the document is read with its comments, key order and quoting, and
written back with only what was changed, changed.

Written back with two-space mappings and sequences indented two under their key (``  - id:``),
as ciptool writes and documents every record, and lines never folded.
"""

from __future__ import annotations

import io
from typing import Any


class RoundTripError(ValueError):
    """The text cannot be read for a round trip."""


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line the user wrote on one
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load(text: str) -> Any:
    """The document of ``text``, its mappings ordered and carrying their comments."""
    from ruamel.yaml.error import YAMLError

    try:
        return _yaml().load(text)
    except YAMLError as exc:
        raise RoundTripError(str(exc)) from None


def dump(document: Any) -> str:
    """``document`` as YAML text again."""
    buffer = io.StringIO()
    _yaml().dump(document, buffer)
    return buffer.getvalue()


def scalar(value: Any) -> Any:
    """``value`` as it is best written: text of several lines as a literal block (``|-``)."""
    from ruamel.yaml.scalarstring import LiteralScalarString

    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value
