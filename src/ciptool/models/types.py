"""Field types that read YAML text by the schema: dates, booleans, integers, durations, ids.

The loader hands every scalar over as text, so each type here parses the exact text a person
wrote and says what it expected when that text does not fit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, GetCoreSchemaHandler, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError, core_schema

from ciptool.models.dates import DATE_RANGE, EARLIEST, LATEST

#: Each pattern here is matched against the whole text (``fullmatch``): Python's ``$`` also
#: matches before a last line break, where JSON Schema's does not, and a value is written alone,
#: with no space or line break around it, as the editor schemas say too.
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
#: The same rule for JSON Schema (ECMAScript): YYYY-MM-DD from 1900 to 2999, each month with
#: its days (February's 29th in every year: the leap years are left to ``format: date``).
_DATE_SCHEMA = (
    "^(19[0-9]{2}|2[0-9]{3})-("
    "(0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])"
    "|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    "|02-(0[1-9]|1[0-9]|2[0-9]))$"
)
_INT = re.compile(r"^[-+]?[0-9]+$")
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")


#: Dates already read, by their text: a program writes the same few hundred dates again and
#: again, and a date is immutable, so records share one object each.
_DATES: dict[str, dt.date] = {}
_DATES_MAX = 100_000


def _parse_date(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and (known := _DATES.get(value)) is not None:
        return known
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "ciptool_date", "`{value}` is not a real calendar date", {"value": value}
            ) from None
        if not EARLIEST <= parsed <= LATEST:
            raise PydanticCustomError(
                "ciptool_date", f"{DATE_RANGE}, found `{{value}}`", {"value": value}
            )
        if len(_DATES) < _DATES_MAX:
            _DATES[value] = parsed
        return parsed
    raise PydanticCustomError(
        "ciptool_date",
        "expected a date written YYYY-MM-DD, found {found}",
        {"found": _describe(value)},
    )


def _parse_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
    raise PydanticCustomError(
        "ciptool_bool",
        "expected true or false, found {found} (YAML 1.2 reads yes/no/on/off as text)",
        {"found": _describe(value)},
    )


def _parse_int(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INT.fullmatch(value):
        try:
            return int(value)
        except ValueError:  # more digits than Python reads as a number (4300)
            raise PydanticCustomError(
                "ciptool_int",
                "expected a whole number, found one of {digits} digits",
                {"digits": len(value.lstrip("+-"))},
            ) from None
    raise PydanticCustomError(
        "ciptool_int", "expected a whole number, found {found}", {"found": _describe(value)}
    )


def _ranged(low: int, high: int) -> Any:
    """A parser of whole numbers from ``low`` to ``high``, written as numbers or as text."""

    def parse(value: Any) -> Any:
        number = _parse_int(value)
        if not low <= number <= high:
            raise PydanticCustomError(
                "ciptool_range",
                "should be a whole number from {low} to {high}, found {number}",
                {"low": low, "high": high, "number": number},
            )
        return number

    return parse


_NUMBER = re.compile(r"^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)$")
#: The most digits a number may have: more is not a measurement.
_NUMBER_DIGITS = 30


def _number_text(number: Decimal) -> str:
    """A number as written: a function, since pydantic 2.6 cannot read the signature of ``str``."""
    return str(number)


def _parse_number(value: Any) -> Any:
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value) and len(value) <= _NUMBER_DIGITS:
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            pass
    raise PydanticCustomError(
        "ciptool_number",
        "expected a number such as 42 or 3.5, found {found}",
        {"found": _describe(value)},
    )


#: The longest warning window, in days: ten years.
MAX_WARNING_DAYS = 3650


def _parse_warning_days(value: Any) -> Any:
    number = _parse_int(value)
    if not 0 <= number <= MAX_WARNING_DAYS:
        raise PydanticCustomError(
            "ciptool_range",
            "should be a whole number from 0 to {high}, found {number}",
            {"high": MAX_WARNING_DAYS, "number": number},
        )
    return number


def _parse_id(value: Any) -> Any:
    if isinstance(value, str) and _ID.fullmatch(value):
        return value
    if isinstance(value, str):
        raise PydanticCustomError(
            "ciptool_id",
            "`{value}` is not a valid id: use letters, digits and . _ - : / with no spaces",
            {"value": _shown(value)},
        )
    raise PydanticCustomError(
        "ciptool_id", "expected an id, found {found}", {"found": _describe(value)}
    )


def _shown(text: str) -> str:
    """``text`` on one line: a line break or another control character as its escape (``\\n``)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        return f"`{_shown(value)}`"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


YamlDate = Annotated[
    dt.date,
    BeforeValidator(_parse_date),
    PlainSerializer(lambda d: d.isoformat(), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": _DATE_SCHEMA,
            "description": f"A date written YYYY-MM-DD; {DATE_RANGE}.",
        }
    ),
]
#: ciptool reads a boolean or a number from the text written, quoted or not (``"true"``,
#: ``"30"``); the schemas accept that text too, where an editor reads it as a string.
YamlBool = Annotated[
    bool,
    BeforeValidator(_parse_bool),
    WithJsonSchema(
        {"anyOf": [{"type": "boolean"}, {"type": "string", "enum": sorted(_TRUE | _FALSE)}]}
    ),
]
YamlInt = Annotated[
    int,
    BeforeValidator(_parse_int),
    WithJsonSchema({"anyOf": [{"type": "integer"}, {"type": "string", "pattern": _INT.pattern}]}),
]
#: 0 to 3650 written as text: a sign, leading zeros, then 0-999, 1000-2999, 3000-3599,
#: 3600-3649 or 3650 (``-0`` is 0 too).
_WARNING_DAYS_TEXT = "^([+]?0*([0-9]{1,3}|[12][0-9]{3}|3[0-5][0-9]{2}|36[0-4][0-9]|3650)|-0+)$"
WarningDays = Annotated[
    int,
    BeforeValidator(_parse_warning_days),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": MAX_WARNING_DAYS},
                {"type": "string", "pattern": _WARNING_DAYS_TEXT},
            ]
        }
    ),
]
#: A likelihood or an impact: 1 (lowest) to 5 (highest).
Score = Annotated[
    int,
    BeforeValidator(_ranged(1, 5)),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 5},
                {"type": "string", "pattern": "^[+]?0*[1-5]$"},
            ],
            "description": "1 (lowest) to 5 (highest).",
        }
    ),
]
#: A risk score, likelihood times impact: 1 to 25.
ScoreProduct = Annotated[
    int,
    BeforeValidator(_ranged(1, 25)),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 25},
                {"type": "string", "pattern": "^[+]?0*([1-9]|1[0-9]|2[0-5])$"},
            ],
            "description": "Likelihood times impact: 1 to 25.",
        }
    ),
]
#: A share in whole percent: 0 to 100.
Percent = Annotated[
    int,
    BeforeValidator(_ranged(0, 100)),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 100},
                {"type": "string", "pattern": "^[+]?0*([0-9]|[1-9][0-9]|100)$"},
            ],
            "description": "0 to 100 (percent).",
        }
    ),
]
#: A whole number of zero or more, e.g. records affected.
Count = Annotated[
    int,
    BeforeValidator(_ranged(0, 10**12)),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 10**12},
                {"type": "string", "pattern": "^[+]?[0-9]{1,13}$"},
            ]
        }
    ),
]
#: A measured value, kept exactly as written (3.20 stays 3.20): a decimal number.
YamlNumber = Annotated[
    Decimal,
    BeforeValidator(_parse_number),
    PlainSerializer(_number_text, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number"},
                {"type": "string", "pattern": "^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)$"},
            ]
        }
    ),
]
#: ciptool reads every scalar as the text written, so an unquoted number or boolean is text
#: too (``1234`` is the text "1234"); an editor reads it as a number, which the schema accepts.
#: A negative number is not: ``-5`` is not an id.
YAML_TEXT_TYPES = ["string", "number", "boolean"]
RecordId = Annotated[
    str,
    BeforeValidator(_parse_id),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": _ID.pattern, "minLength": 1},
                {"type": "number", "minimum": 0},
                {"type": "boolean"},
            ]
        }
    ),
]

_DURATION = re.compile(r"^([0-9]+)(d|w|mo|y)$")
_UNIT_NAMES = {"d": "day", "w": "week", "mo": "month", "y": "year"}
#: The most digits a duration's count may have, by unit: at most 99999d (273 years), 9999w
#: (191 years), 9999mo (833 years) or 999y.
_DURATION_DIGITS = {"d": 5, "w": 4, "mo": 4, "y": 3}
LONGEST_DURATIONS = "99999d, 9999w, 9999mo or 999y"
#: The same rule for JSON Schema (ECMAScript).
_DURATION_SCHEMA = "^([0-9]{1,5}d|[0-9]{1,4}w|[0-9]{1,4}mo|[0-9]{1,3}y)$"


class DurationTooLong(ValueError):
    """A duration written correctly whose count has more digits than its unit allows."""


@dataclass(frozen=True, order=True)
class Duration:
    """A span written ``100d``, ``6w``, ``12mo`` or ``1y``; months and years follow the calendar."""

    count: int
    unit: str

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Read ``text`` such as ``12mo``; raise ValueError when it is not a duration.

        The text is the duration alone, as a date is: spaces around it are refused, as the
        schema's pattern refuses them. DurationTooLong, a ValueError, says the count has more
        digits than the unit allows.
        """
        match = _DURATION.fullmatch(text)
        if not match:
            raise ValueError(text)
        count, unit = match.group(1), match.group(2)
        if len(count) > _DURATION_DIGITS[unit]:
            raise DurationTooLong(text)
        return cls(int(count), unit)

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"

    def describe(self) -> str:
        """Words for people: ``12 months``."""
        name = _UNIT_NAMES[self.unit]
        return f"{self.count} {name}{'' if self.count == 1 else 's'}"

    def after(self, start: dt.date) -> dt.date:
        """The date this long after ``start`` (a month past Jan 31 is the last day of February)."""
        if self.unit == "d":
            return start + dt.timedelta(days=self.count)
        if self.unit == "w":
            return start + dt.timedelta(weeks=self.count)
        months = self.count * (12 if self.unit == "y" else 1)
        return _add_months(start, months)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(value: Any) -> Duration:
            if isinstance(value, Duration):
                return value
            if isinstance(value, str):
                try:
                    return cls.parse(value)
                except DurationTooLong:
                    raise PydanticCustomError(
                        "ciptool_duration",
                        f"{{found}} is too long: a duration is at most {LONGEST_DURATIONS}",
                        {"found": _describe(value)},
                    ) from None
                except ValueError:
                    pass
            spaced = isinstance(value, str) and value != value.strip()
            raise PydanticCustomError(
                "ciptool_duration",
                "expected a duration such as 100d, 6w, 12mo or 1y, found {found}"
                + (": write it without spaces around it" if spaced else ""),
                {"found": _describe(value)},
            )

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.to_string_ser_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {
            "type": "string",
            "pattern": _DURATION_SCHEMA,
            "description": "A number and a unit: d (days), w (weeks), mo (months) or y (years);"
            f" at most {LONGEST_DURATIONS}.",
            "examples": ["100d", "6w", "12mo", "1y"],
        }


def _add_months(start: dt.date, months: int) -> dt.date:
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last_day = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(start.day, last_day))


_REPORTING_PERIOD = re.compile(r"^([0-9]{4})(?:-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?$")
_PERIOD_SCHEMA = "^(19[0-9]{2}|2[0-9]{3})(-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?$"
#: The months each form of period spans: a quarter, a half, a month, a year.
_PERIOD_MONTHS = {"Q": 3, "H": 6, "M": 1, "Y": 12}
#: The metric frequency each form of period is measured at.
PERIOD_FREQUENCIES = {"Q": "quarterly", "H": "semiannual", "M": "monthly", "Y": "annual"}


@dataclass(frozen=True, order=True)
class ReportingPeriod:
    """A period a metric is measured for: ``2026``, ``2026-H1``, ``2026-Q3`` or ``2026-07``."""

    start: dt.date
    end: dt.date
    text: str

    @classmethod
    def parse(cls, text: str) -> ReportingPeriod:
        """Read ``text``; raise ValueError when it is not a period of a known form in range."""
        match = _REPORTING_PERIOD.fullmatch(text)
        if not match:
            raise ValueError(text)
        year, part = int(match.group(1)), match.group(2) or ""
        form = part[:1] if part[:1] in {"Q", "H"} else ("M" if part else "Y")
        index = int(part[1:]) if form in {"Q", "H"} else (int(part) if part else 1)
        months = _PERIOD_MONTHS[form]
        start = dt.date(year, (index - 1) * months + 1, 1)
        end = _add_months(start, months) - dt.timedelta(days=1)
        if not (start >= EARLIEST and end <= LATEST):
            raise ValueError(text)
        return cls(start, end, text)

    @property
    def frequency(self) -> str:
        """The metric frequency this form of period belongs to: ``quarterly`` for 2026-Q3."""
        part = self.text[5:]
        return PERIOD_FREQUENCIES[part[:1] if part[:1] in {"Q", "H"} else ("M" if part else "Y")]

    def __str__(self) -> str:
        return self.text

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(value: Any) -> ReportingPeriod:
            if isinstance(value, ReportingPeriod):
                return value
            if isinstance(value, str):
                try:
                    return cls.parse(value)
                except ValueError:
                    pass
            raise PydanticCustomError(
                "ciptool_period",
                "expected a period such as 2026, 2026-H1, 2026-Q3 or 2026-07, found {found}",
                {"found": _describe(value)},
            )

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.to_string_ser_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {
            "type": "string",
            "pattern": _PERIOD_SCHEMA,
            "description": "A year (2026), half (2026-H1), quarter (2026-Q3) or month (2026-07).",
            "examples": ["2026-Q3"],
        }
