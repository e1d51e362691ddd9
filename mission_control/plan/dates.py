"""Dates, times and durations as Mermaid's gantt reads them.

Mermaid parses a start or end item strictly in the diagram's ``dateFormat`` (moment/dayjs tokens:
the text must re-format to exactly itself), and reads a duration as a decimal number followed
directly by one unit (``ms s m h d w M y``). Date-less formats such as ``HH:mm`` count from the
mission's start; we pin that day to 1970-01-01 so results are reproducible.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache
from typing import Final

EPOCH: Final = datetime(1970, 1, 1)

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# Longest tokens first so "YYYY" wins over "YY", "MMMM" over "MM", and so on.
_TOKEN_RE = re.compile(r"\[[^\]]*\]|YYYY|YY|Q|MMMM|MMM|MM|M|Do|DD|D|HH|H|hh|h|a|A|mm|m|ss|s|SSS|SS|S|ZZ|Z|X|x")
_DURATION_RE = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|M|y)$")  # Mermaid's: no ".5d"
_DATE_TOKENS = {"YYYY", "YY", "Q", "MMMM", "MMM", "MM", "M", "Do", "DD", "D", "X", "x"}


@dataclass(frozen=True)
class Duration:
    """A Mermaid duration: ``amount`` of ``unit`` (``ms s m h d w M y``)."""

    amount: Decimal
    unit: str

    def add_to(self, start: datetime) -> datetime:
        """Return ``start`` plus this duration with Mermaid's calendar rules.

        Raises:
            OverflowError: the result would fall outside the years 1..9999.
        """
        try:
            return self._add(start)
        except (OverflowError, ValueError):
            raise OverflowError(f"{self} from {start:%Y-%m-%d} goes past the year 9999") from None

    @property
    def fixed_length(self) -> timedelta | None:
        """The length of an ``ms s m h d w`` duration; None for months and years (calendar lengths)."""
        return self._delta

    def _add(self, start: datetime) -> datetime:
        delta = self._delta
        if delta is not None:
            return start + delta
        months = self.amount * (12 if self.unit == "y" else 1)
        return add_months(start, int(months.quantize(Decimal(1), rounding=ROUND_HALF_UP)))

    @cached_property  # a plan adds the same few durations thousands of times; Decimal arithmetic is slow
    def _delta(self) -> timedelta | None:
        """The fixed length of an ``ms s m h d w`` duration; None for months and years."""
        if self.unit in _EXACT_UNITS:
            return timedelta(milliseconds=float(self.amount * _EXACT_UNITS[self.unit]))
        if self.unit in ("d", "w"):
            days = self.amount * (7 if self.unit == "w" else 1)
            return timedelta(days=int(days.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
        return None

    def __str__(self) -> str:
        return f"{_plain(self.amount)}{self.unit}"


_EXACT_UNITS = {"ms": Decimal(1), "s": Decimal(1000), "m": Decimal(60_000), "h": Decimal(3_600_000)}


# Longer than any calendar can hold (10,000 years): such a "duration" is a typo, not a plan.
_MAX_SPAN_MS = Decimal(10_000 * 366 * 86_400_000)
_UNIT_MS = {
    "ms": 1,
    "s": 1000,
    "m": 60_000,
    "h": 3_600_000,
    "d": 86_400_000,
    "w": 7 * 86_400_000,
    "M": 31 * 86_400_000,
    "y": 366 * 86_400_000,
}


@lru_cache(maxsize=1024)  # a plan repeats a few durations thousands of times; Duration is frozen
def parse_duration(text: str) -> Duration | None:
    """Parse ``8h``, ``1.5d``, ``30m``...; None if ``text`` is not exactly a duration.

    Amounts spanning more than 10,000 years are refused too (no date could hold the end).
    """
    match = _DURATION_RE.match(text)
    if not match:
        return None
    amount = Decimal(match.group(1))
    if amount * _UNIT_MS[match.group(2)] > _MAX_SPAN_MS:
        return None
    return Duration(amount, match.group(2))


def from_epoch(text: str, unit_ms: int) -> datetime:
    """``text`` (an integer, or for seconds a decimal) times ``unit_ms`` milliseconds after 1970-01-01.

    Raises:
        ValueError: ``text`` is not written in ASCII digits (``²`` passes ``str.isdigit``).
        OverflowError: the moment falls outside the years 1..9999.
    """
    if not re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", text):
        raise ValueError(f"{text!r} is not a number")
    milliseconds = Decimal(text) * unit_ms
    if abs(milliseconds) > _MAX_SPAN_MS:
        raise OverflowError(f"{text} is beyond the years 1..9999")
    return EPOCH + timedelta(milliseconds=float(milliseconds))


def add_months(moment: datetime, months: int) -> datetime:
    """Calendar month arithmetic with the day clamped to the month's end (Jan 31 + 1M = Feb 28/29)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def format_duration(delta: timedelta, prefer: str = "h") -> str:
    """Spell ``delta`` as a Mermaid duration, in ``prefer``'s unit when that is exact enough.

    Days and weeks are used only for whole numbers (Mermaid rounds them); hours, minutes and
    seconds take up to two decimals; otherwise the smallest exact unit is used.
    """
    ms = Decimal(round(delta.total_seconds() * 1000))
    candidates = [prefer] + [u for u in ("w", "d", "h", "m", "s", "ms") if u != prefer]
    for unit in candidates:
        if unit in ("M", "y"):
            continue
        size = _EXACT_UNITS.get(unit) or Decimal(86_400_000 * (7 if unit == "w" else 1))
        amount = ms / size
        whole_only = unit in ("d", "w")
        if (
            amount == amount.to_integral_value()
            or (not whole_only and amount == amount.quantize(Decimal("0.01")) and unit != "ms")
        ) and (amount > 0 or unit == candidates[-1] or ms == 0):
            return f"{_plain(amount)}{unit}"
    return f"{_plain(ms)}ms"


def _plain(amount: Decimal) -> str:
    text = format(amount.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class DateFormat:
    """A moment-style date format, parsed strictly and formatted back.

    ``has_date`` is False for time-only formats such as ``HH:mm``: their values fall on the
    reference day (1970-01-01, the mission's start).
    """

    pattern: str

    @property
    def tokens(self) -> list[str]:
        """The pattern split into tokens and literal text."""
        return list(_tokens(self.pattern))

    @property
    def has_date(self) -> bool:
        """Whether the format carries a calendar date (any year, month, day or epoch token)."""
        return any(tok in _DATE_TOKENS for tok in _tokens(self.pattern))

    @property
    def has_year(self) -> bool:
        return any(tok in ("YYYY", "YY", "X", "x") for tok in _tokens(self.pattern))

    def parse(self, text: str, reference: date | None = None) -> datetime | None:
        """Parse ``text`` strictly: it must match the pattern and format back to itself.

        ``reference`` supplies the day for time-only formats and the year for year-less ones.
        """
        return _parse(self.pattern, text, reference)

    def _parse_uncached(self, text: str, reference: date | None) -> datetime | None:
        if not self.pattern:
            return _parse_iso_fallback(text)
        fields = self._match(text)
        if fields is None:
            return None
        value = self._build(fields, reference or EPOCH.date())
        if value is None or self.format(value) != text:
            return None
        return value

    def format(self, value: datetime) -> str:
        """Format ``value`` with the pattern (the inverse of :meth:`parse`)."""
        if not self.pattern:
            return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else value.isoformat()
        return "".join([_format_token(tok, value) for tok in _tokens(self.pattern)])

    def _match(self, text: str) -> dict[str, str] | None:
        regex, names = _matcher(self.pattern)
        match = regex.fullmatch(text)
        if not match:
            return None
        return dict(zip(names, match.groups()))

    def _build(self, fields: dict[str, str], reference: date) -> datetime | None:
        """The moment ``fields`` name, or None when they name none (out of range, not a number)."""
        try:
            return self._build_or_raise(fields, reference)
        except (OverflowError, ValueError):  # 99999999999999999999 ms, "²", a +9999 offset
            return None

    def _build_or_raise(self, fields: dict[str, str], reference: date) -> datetime | None:
        if "x" in fields:
            return from_epoch(fields["x"], 1)
        if "X" in fields:
            return from_epoch(fields["X"], 1000)
        if not self.has_date:
            year, month, day = reference.year, reference.month, reference.day
        else:
            year, month, day = (EPOCH.year if self.has_year else reference.year), 1, 1
        hour = minute = second = micro = 0
        pm: bool | None = None
        offset: int | None = None
        for tok, raw in fields.items():
            if tok == "YYYY":
                year = int(raw)
            elif tok == "YY":
                year = 2000 + int(raw) if int(raw) < 69 else 1900 + int(raw)
            elif tok == "Q":
                month = (int(raw) - 1) * 3 + 1
            elif tok in ("M", "MM"):
                month = int(raw)
            elif tok in ("MMM", "MMMM"):
                month = _month_index(raw)
            elif tok in ("D", "DD"):
                day = int(raw)
            elif tok == "Do":
                day = int(raw[:-2])  # the digits before the two-letter suffix (st, nd, rd, th)
            elif tok in ("H", "HH", "h", "hh"):
                hour = int(raw)
            elif tok in ("a", "A"):
                pm = raw.lower() == "pm"
            elif tok in ("m", "mm"):
                minute = int(raw)
            elif tok in ("s", "ss"):
                second = int(raw)
            elif tok in ("S", "SS", "SSS"):
                micro = int(raw.ljust(3, "0")[:3]) * 1000
            elif tok in ("Z", "ZZ"):
                sign = -1 if raw[0] == "-" else 1
                digits = raw[1:].replace(":", "")
                offset = sign * (int(digits[:2]) * 60 + int(digits[2:]))
        if pm is not None and hour <= 12:
            hour = hour % 12 + (12 if pm else 0)
        try:
            value = datetime(year, month, day, hour, minute, second, micro)
        except ValueError:
            return None
        if offset is not None:  # keep the wall-clock time as written; record nothing else
            value = value.replace(tzinfo=timezone(timedelta(minutes=offset))).replace(tzinfo=None)
        return value


@lru_cache(maxsize=1 << 14)  # a plan parses the same items in every pass and again in its report
def _parse(pattern: str, text: str, reference: date | None) -> datetime | None:
    """:meth:`DateFormat.parse`, cached: it is a pure function and datetimes are immutable."""
    return DateFormat(pattern)._parse_uncached(text, reference)


@lru_cache(maxsize=64)
def _tokens(pattern: str) -> tuple[str, ...]:
    """``pattern`` split into tokens and literal text (cached: every date parse needs it)."""
    parts: list[str] = []
    pos = 0
    for match in _TOKEN_RE.finditer(pattern):
        if match.start() > pos:
            parts.append(pattern[pos : match.start()])
        parts.append(match.group(0))
        pos = match.end()
    if pos < len(pattern):
        parts.append(pattern[pos:])
    return tuple(parts)


@lru_cache(maxsize=64)
def _matcher(pattern: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """The compiled regex reading ``pattern``'s tokens, and the token of each group."""
    regex, names = [], []
    for tok in _tokens(pattern):
        if tok in _TOKEN_PATTERNS:
            regex.append(f"({_TOKEN_PATTERNS[tok]})")
            names.append(tok)
        elif tok.startswith("[") and tok.endswith("]"):
            regex.append(re.escape(tok[1:-1]))
        else:
            regex.append(re.escape(tok))
    return re.compile("".join(regex)), tuple(names)


_TOKEN_PATTERNS = {
    "YYYY": r"[+-]?\d{4}",
    "YY": r"\d{2}",
    "Q": r"[1-4]",
    "MMMM": "|".join(_MONTHS),
    "MMM": "|".join(m[:3] for m in _MONTHS),
    "MM": r"\d{2}",
    "M": r"\d{1,2}",
    "Do": r"\d{1,2}(?:st|nd|rd|th)",
    "DD": r"\d{2}",
    "D": r"\d{1,2}",
    "HH": r"\d{2}",
    "H": r"\d{1,2}",
    "hh": r"\d{2}",
    "h": r"\d{1,2}",
    "a": r"am|pm",
    "A": r"AM|PM",
    "mm": r"\d{2}",
    "m": r"\d{1,2}",
    "ss": r"\d{2}",
    "s": r"\d{1,2}",
    "SSS": r"\d{3}",
    "SS": r"\d{2}",
    "S": r"\d",
    "ZZ": r"[+-]\d{4}",
    "Z": r"[+-]\d{2}:\d{2}",
    "X": r"-?\d+(?:\.\d+)?",
    "x": r"-?\d+",
}


def _month_index(name: str) -> int:
    for index, month in enumerate(_MONTHS, start=1):
        if month.startswith(name):
            return index
    raise ValueError(name)


def _ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


_SIMPLE_FORMATS: dict[str, Callable[[datetime], str]] = {
    "YYYY": lambda v: f"{v.year:04d}",
    "YY": lambda v: f"{v.year % 100:02d}",
    "Q": lambda v: str((v.month - 1) // 3 + 1),
    "MMMM": lambda v: _MONTHS[v.month - 1],
    "MMM": lambda v: _MONTHS[v.month - 1][:3],
    "MM": lambda v: f"{v.month:02d}",
    "M": lambda v: str(v.month),
    "Do": lambda v: _ordinal(v.day),
    "DD": lambda v: f"{v.day:02d}",
    "D": lambda v: str(v.day),
    "HH": lambda v: f"{v.hour:02d}",
    "H": lambda v: str(v.hour),
    "hh": lambda v: f"{(v.hour % 12) or 12:02d}",
    "h": lambda v: str((v.hour % 12) or 12),
    "a": lambda v: "pm" if v.hour >= 12 else "am",
    "A": lambda v: "PM" if v.hour >= 12 else "AM",
    "mm": lambda v: f"{v.minute:02d}",
    "m": lambda v: str(v.minute),
    "ss": lambda v: f"{v.second:02d}",
    "s": lambda v: str(v.second),
    "SSS": lambda v: f"{v.microsecond // 1000:03d}",
    "SS": lambda v: f"{v.microsecond // 10000:02d}",
    "S": lambda v: str(v.microsecond // 100000),
    "ZZ": lambda v: "+0000",
    "Z": lambda v: "+00:00",
}


def _format_token(tok: str, v: datetime) -> str:
    simple = _SIMPLE_FORMATS.get(tok)
    if simple is not None:
        return simple(v)
    if tok == "x":
        return str(int((v - EPOCH).total_seconds() * 1000))
    if tok == "X":
        seconds = (v - EPOCH).total_seconds()
        return str(int(seconds)) if seconds == int(seconds) else str(seconds)
    if tok.startswith("[") and tok.endswith("]"):
        return tok[1:-1]
    return tok


def _parse_iso_fallback(text: str) -> datetime | None:
    """No ``dateFormat`` line: Mermaid falls back to JS ``Date``; we accept ISO dates only."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value.replace(tzinfo=None)
