"""The sandbox templates render in: data read-only, and limits on what a template may build,
write, take and use.

A repository is data, often received from someone else, and its templates are code written by
that someone. jinja2's ``ImmutableSandboxedEnvironment`` keeps them from Python's internals and
from changing the lists and dicts they are given. The limits keep them from hanging ciptool or
exhausting its memory, in three layers:

1. What an operation would build is measured before it is built, where its operands tell:
   ``*``, ``+``, ``%``, ``**`` and ``~``, the widths and precisions of ``%`` and ``format``, and
   the methods and filters that pad, repeat or join (``ljust``, ``rjust``, ``center``,
   ``zfill``, ``expandtabs``, ``replace``, ``join``, ``indent``, ``batch``). A value may hold
   :data:`MAX_VALUE_ITEMS` characters or items, and a number :data:`MAX_NUMBER_DIGITS` digits
   (as many as Python prints).
2. A document is written piece by piece and stops at :data:`MAX_DOCUMENT_CHARS`.
3. The rendering of a repository's templates stops after :data:`RENDER_SECONDS` (an interval
   timer, where the platform has one) and may take :data:`RENDER_MEMORY_BYTES` of memory more
   than it started with (a limit on the address space, where the platform has one): whatever
   else a template finds to loop on or to allocate, in C code too, ends there.

A limit reached is a :class:`TemplateLimit`, raised where the template is, so that the error
names the template's line.
"""

from __future__ import annotations

import math
import os
import re
import signal
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import update_wrapper
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.filters import do_batch, do_center, do_format, do_indent, do_replace, sync_do_join
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter
from markupsafe import EscapeFormatter, Markup

try:
    import resource
except ImportError:  # not on Windows
    resource = None  # type: ignore[assignment]

#: Most characters or items in one value a template builds: a string, a list, a tuple.
MAX_VALUE_ITEMS = 16 * 1024 * 1024
#: Most digits in a number a template builds (Python prints no more).
MAX_NUMBER_DIGITS = 4300
#: Most characters in a document rendered from a repository's templates (a 10,000-control
#: program's SOC 2 package in HTML is about 5 million).
MAX_DOCUMENT_CHARS = 64 * 1024 * 1024
#: Longest a repository's templates may take to render (a 10,000-control program's SOC 2
#: package in HTML takes about half a second).
RENDER_SECONDS = 5.0
#: Most memory a repository's templates may take beyond what ciptool holds when they start.
RENDER_MEMORY_BYTES = 512 * 1024 * 1024

TIME_LIMITED = hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")
_STATM = "/proc/self/statm"
MEMORY_LIMITED = resource is not None and hasattr(resource, "RLIMIT_AS") and Path(_STATM).exists()

_LOG10_2 = math.log10(2)


class TemplateLimit(jinja2.TemplateRuntimeError):
    """A template reached a limit on what it may build, write or take."""


def _check_size(size: int) -> None:
    if size > MAX_VALUE_ITEMS:
        raise TemplateLimit(
            f"this would make a value of {size:,} characters or items; a template may make"
            f" at most {MAX_VALUE_ITEMS:,}"
        )


def _check_bits(bits: float) -> None:
    if bits * _LOG10_2 > MAX_NUMBER_DIGITS:
        raise TemplateLimit(
            f"this would make a number of more than {MAX_NUMBER_DIGITS:,} digits, which a"
            " template may not make"
        )


def _length(value: Any) -> int | None:
    if isinstance(value, (str, bytes, bytearray, list, tuple)):
        return len(value)
    return None


def _number(text: str) -> int:
    """The width or precision written ``text`` (digits), at most 10**20."""
    return int(text) if len(text) < 20 else 10**20


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse ``left OPERATOR right`` when its result would pass a limit."""
    if operator == "*":
        if isinstance(left, int) and isinstance(right, int):
            _check_bits(left.bit_length() + right.bit_length())
            return
        for items, count in ((left, right), (right, left)):
            length = _length(items)
            if length is not None and isinstance(count, int):
                _check_size(length * count)
    elif operator == "+":
        left_length, right_length = _length(left), _length(right)
        if left_length is not None and right_length is not None:
            _check_size(left_length + right_length)
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            if right.bit_length() > 64:
                _check_bits(math.inf)
            _check_bits(right * math.log2(abs(left)))
    elif operator == "%" and isinstance(left, (str, bytes)):
        _check_percent(left, right)


_PERCENT = re.compile(r"%%|%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_percent(template: str | bytes, values: Any) -> None:
    """Refuse ``template % values`` when a width or precision in it passes the limit."""
    text = template if isinstance(template, str) else template.decode("latin-1")
    given = values if isinstance(values, tuple) else (values,)
    position = 0
    for match in _PERCENT.finditer(text):
        if match.group() == "%%":
            continue
        for written in match.groups():
            if written == "*":
                star = given[position] if position < len(given) else 0
                position += 1
                if isinstance(star, int):
                    _check_size(abs(star))
            elif written:
                _check_size(_number(written))
        position += 1


_DIGITS = re.compile(r"\d+")


def _check_spec(spec: str) -> None:
    """Refuse a format spec (``>2000000000``) whose width or precision passes the limit."""
    for digits in _DIGITS.findall(spec):
        _check_size(_number(digits))


class _BoundedFormatter(SandboxedFormatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        _check_spec(format_spec)
        return super().format_field(value, format_spec)


class _BoundedEscapeFormatter(_BoundedFormatter, EscapeFormatter):
    pass


# Methods of str (and bytes) whose result can be far larger than the string: each check takes
# the string and the call's arguments, refuses what passes the limit, and returns the
# arguments to call with (an iterable to join is read once, into a list).
Arguments = tuple[tuple[Any, ...], dict[str, Any]]


def _padded(owner: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Arguments:
    width = args[0] if args else kwargs.get("width", 0)
    if isinstance(width, int):
        _check_size(width)
    return args, kwargs


def _tabs_expanded(owner: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Arguments:
    size = args[0] if args else kwargs.get("tabsize", 8)
    if isinstance(size, int) and size > 1:
        tabs = owner.count("\t" if isinstance(owner, str) else b"\t")
        _check_size(len(owner) + tabs * (size - 1))
    return args, kwargs


def _replaced(owner: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Arguments:
    if len(args) >= 2:
        count = args[2] if len(args) > 2 else kwargs.get("count", -1)
        _check_replace(owner, args[0], args[1], count)
    return args, kwargs


def _check_replace(text: Any, old: Any, new: Any, count: Any) -> None:
    if not (isinstance(old, type(text)) and isinstance(new, type(text))):
        return  # the call says what is wrong
    found = len(text) + 1 if not old else text.count(old)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    _check_size(len(text) + found * (len(new) - len(old)))


def _joined(owner: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Arguments:
    if len(args) != 1 or kwargs:
        return args, kwargs
    items = list(args[0])
    _check_join(owner, items)
    return (items,), {}


def _check_join(separator: Any, items: list[Any]) -> None:
    written = sum(len(item) for item in items if isinstance(item, (str, bytes)))
    _check_size(written + len(separator) * max(len(items) - 1, 0))


_METHOD_CHECKS: dict[str, Callable[[Any, tuple[Any, ...], dict[str, Any]], Arguments]] = {
    "ljust": _padded,
    "rjust": _padded,
    "center": _padded,
    "zfill": _padded,
    "expandtabs": _tabs_expanded,
    "replace": _replaced,
    "join": _joined,
}


# The filters that pad, repeat or join, bounded as the methods are.


def _center(value: Any, width: int = 80) -> str:
    if isinstance(width, int):
        _check_size(width)
    return do_center(value, width)


def _indent(s: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    unit = len(width) if isinstance(width, str) else width
    if isinstance(unit, int):
        _check_size(unit)
        _check_size(len(str(s)) + (str(s).count("\n") + 1) * unit)
    return do_indent(s, width, first, blank)


def _format(value: str, *args: Any, **kwargs: Any) -> str:
    _check_percent(str(value), kwargs or args)
    return do_format(value, *args, **kwargs)


@jinja2.pass_eval_context
def _replace(eval_ctx: EvalContext, s: str, old: str, new: str, count: int | None = None) -> str:
    _check_replace(str(s), str(old), str(new), -1 if count is None else count)
    return do_replace(eval_ctx, s, old, new, count)


@jinja2.pass_eval_context
def _join(
    eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: str | int | None = None
) -> str:
    items = list(value)
    if attribute is None:
        _check_join(str(d), items)
    return sync_do_join(eval_ctx, items, d, attribute)


def _batch(value: Iterable[Any], linecount: int, fill_with: Any = None) -> Iterator[list[Any]]:
    if fill_with is not None and isinstance(linecount, int):
        _check_size(linecount)
    return do_batch(value, linecount, fill_with)


_BOUNDED_FILTERS: dict[str, Callable[..., Any]] = {
    "center": _center,
    "indent": _indent,
    "format": _format,
    "replace": _replace,
    "join": _join,
    "batch": _batch,
}


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles ``a ~ b`` so that its result is measured before a template keeps it."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_concat(")
        super().visit_Concat(node, frame)
        self.write(")")


class TemplateSandbox(ImmutableSandboxedEnvironment):
    """jinja2's immutable sandbox with the limits on what a template may build."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _BoundedCodeGenerator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters.update(_BOUNDED_FILTERS)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """``left OPERATOR right``, refused when its result would pass a limit."""
        _check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def bounded_concat(self, value: str) -> str:
        """The result of ``~``, refused past the limit."""
        _check_size(len(value))
        return value

    def wrap_str_format(self, value: Any) -> Callable[..., Any] | None:
        """A string's ``format`` or ``format_map``, or one of its methods that pad, repeat or
        join, as a function that refuses what would pass a limit; None for anything else.
        """
        if not isinstance(value, (types.MethodType, types.BuiltinMethodType)):
            return None
        owner = getattr(value, "__self__", None)
        name = value.__name__
        if isinstance(owner, str) and name in ("format", "format_map"):
            return _bounded_format(self, owner, value)
        check = _METHOD_CHECKS.get(name)
        if check is None or not isinstance(owner, (str, bytes, bytearray)):
            return None
        method = value

        def bounded(*args: Any, **kwargs: Any) -> Any:
            args, kwargs = check(owner, args, kwargs)
            return method(*args, **kwargs)

        return update_wrapper(bounded, value)


def _bounded_format(
    environment: TemplateSandbox, owner: str, method: Callable[..., str]
) -> Callable[..., str]:
    """``owner.format`` (or ``format_map``) through the sandbox's formatter, with the widths
    and precisions it meets, nested fields included, refused past the limit.
    """
    formatter: SandboxedFormatter
    if isinstance(owner, Markup):
        formatter = _BoundedEscapeFormatter(environment, escape=owner.escape)
    else:
        formatter = _BoundedFormatter(environment)
    is_format_map = method.__name__ == "format_map"

    def bounded(*args: Any, **kwargs: Any) -> str:
        if is_format_map:
            if kwargs:
                raise TypeError("format_map() takes no keyword arguments")
            if len(args) != 1:
                raise TypeError(f"format_map() takes exactly one argument ({len(args)} given)")
            return type(owner)(formatter.vformat(owner, (), args[0]))
        return type(owner)(formatter.vformat(owner, args, kwargs))

    return update_wrapper(bounded, method)


class DocumentTooLarge(TemplateLimit):
    """The document grew past :data:`MAX_DOCUMENT_CHARS`."""


class RenderingTooLong(TemplateLimit):
    """Rendering took longer than :data:`RENDER_SECONDS`."""


def render_bounded(template: jinja2.Template, context: dict[str, Any]) -> str:
    """``template`` rendered with ``context``, refused once it grows past the limit."""
    pieces: list[str] = []
    size = 0
    for piece in template.generate(context):
        size += len(piece)
        if size > MAX_DOCUMENT_CHARS:
            raise DocumentTooLarge(
                f"the document grows past {MAX_DOCUMENT_CHARS:,} characters, the most a"
                " template may write"
            )
        pieces.append(piece)
    return "".join(pieces)


class RenderingLimits:
    """The time and memory a repository's templates may take, while the ``with`` lasts.

    ``memory_limited`` says whether the memory limit was set (a MemoryError past it is the
    template's doing).
    """

    def __init__(self) -> None:
        self.memory_limited = False
        self.memory_bytes = RENDER_MEMORY_BYTES
        self.seconds = RENDER_SECONDS

    @contextmanager
    def applied(self) -> Iterator[RenderingLimits]:
        """Apply both limits, and lift them afterwards."""
        with self._memory(), self._time():
            yield self

    @contextmanager
    def _time(self) -> Iterator[None]:
        # Signals reach only the main thread; elsewhere, rendering is not timed.
        if not TIME_LIMITED or threading.current_thread() is not threading.main_thread():
            yield
            return
        timing = {"on": True}
        seconds = self.seconds

        def expire(signum: int, frame: types.FrameType | None) -> None:
            if timing["on"]:
                raise RenderingTooLong(
                    f"rendering took longer than the {seconds:g} seconds a template may take"
                )

        previous = signal.signal(signal.SIGALRM, expire)
        # The timer repeats, in case code between the template and ciptool swallows the
        # first exception (jinja2's constant folding catches every exception it meets).
        earlier = signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
        started = time.monotonic()
        try:
            yield
        finally:
            while True:  # a last alarm may come as the timer is stopped
                try:
                    timing["on"] = False
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)
                    break
                except RenderingTooLong:
                    continue
            if earlier[0] > 0:  # someone else's timer, resumed with what remained of it
                left = max(earlier[0] - (time.monotonic() - started), 0.001)
                signal.setitimer(signal.ITIMER_REAL, left, earlier[1])

    @contextmanager
    def _memory(self) -> Iterator[None]:
        used = _address_space() if MEMORY_LIMITED else None
        if used is None or resource is None:
            yield
            return
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = used + self.memory_bytes
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        if soft != resource.RLIM_INFINITY and soft <= cap:
            yield  # already limited at least as tightly
            return
        try:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        except (ValueError, OSError):
            yield
            return
        self.memory_limited = True
        try:
            yield
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space() -> int | None:
    """The bytes of address space this process holds now, where the system says."""
    try:
        pages = int(Path(_STATM).read_bytes().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")
