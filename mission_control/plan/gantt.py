"""Mermaid ``gantt`` blocks: statements, task lines, and Mermaid's own date resolution.

Follows Mermaid 11's lexer (keywords first, case-insensitive, each needing whitespace after it;
a task is ``name : data`` with the data ending at ``#``, ``;`` or the line's end) and its
``compileTasks`` loop (up to 11 passes, lookups by the last task with an id, the ``after a b``
quirk). Where Mermaid fails silently or draws garbage (unknown ids, cycles, invalid dates), we
keep going and report a diagnostic naming the line.
"""

from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Final

from mission_control.plan.dates import EPOCH, DateFormat, from_epoch, parse_duration
from mission_control.plan.frontmatter import split_front_matter
from mission_control.plan.model import TAG_NAMES, Diagnostic, Span, Task

MAX_PASSES: Final = 11
_KEYWORD_RE = re.compile(
    r"(?P<kw>dateFormat|axisFormat|tickInterval|includes|excludes|todayMarker|weekday|weekend"
    r"|title|section|accDescription|click)\s",
    re.IGNORECASE,
)
_VALUE_END_RE = re.compile(r"[#;]")
_DATE_START_RE = re.compile(r"\d\d\d\d-\d\d-\d\d")
_ACC_RE = re.compile(r"(accTitle|accDescr)\s*(:|\{)", re.IGNORECASE)
#: Whatever :meth:`_Parser.statement` (or the accessibility check) reads as something other than a
#: task: a line not starting like this is a task line. It may match more than those checks (its
#: case-insensitive match is at least as wide as ``lower()``); such a line takes the full checks.
_STATEMENT_START_RE = re.compile(
    r"(?:acc(?:title|descr)\s*[:{]|inclusiveenddates|topaxis|gantt"
    r"|(?:dateformat|axisformat|tickinterval|includes|excludes|todaymarker|weekday|weekend"
    r"|title|section|accdescription|click)\s|\d\d\d\d-\d\d-\d\d)",
    re.IGNORECASE,
)


@dataclass
class GanttChart:
    """A parsed gantt block: its settings and task lines (dates filled by :func:`resolve`)."""

    title: str | None = None
    date_format: str = ""
    axis_format: str | None = None
    excludes: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    weekend: str = "saturday"
    inclusive_end_dates: bool = False
    sections: list[str] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


class _Parser:
    """Reads a gantt block line by line into a :class:`GanttChart`."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.chart = GanttChart()
        self.section = ""
        self.last_key: str | None = None
        self.anonymous = 0
        self.order = 0

    def error(self, index: int, message: str) -> None:
        self.chart.diagnostics.append(Diagnostic("error", index + 1, message, self.file))

    def warn(self, index: int, message: str) -> None:
        self.chart.diagnostics.append(Diagnostic("warning", index + 1, message, self.file))

    def parse(self, lines: list[tuple[int, str]]) -> GanttChart:
        lines = self._front_matter(lines)
        seen_header = False
        in_acc_block = False
        statement_start = _STATEMENT_START_RE.match
        for index, text in lines:
            stripped = text.strip()
            if in_acc_block:
                in_acc_block = "}" not in stripped
                continue
            if not stripped or stripped.startswith("%%"):
                continue  # a comment, or an init directive "%%{...}%%": configuration, not content
            if not seen_header:
                if stripped.lower().startswith("gantt"):
                    seen_header = True
                    rest = stripped[5:].strip()
                    if rest:
                        self.statement(index, text, text.index(rest))
                    continue
                self.error(index, f"expected 'gantt' to open the diagram, found {stripped[:40]!r}")
                seen_header = True
            pos = len(text) - len(text.lstrip())
            if statement_start(text, pos) is None:
                self.tasks(index, text, pos)  # nearly every line: a task, and no other check applies
                continue
            acc = _ACC_RE.match(stripped)
            if acc:
                in_acc_block = acc.group(2) == "{" and "}" not in stripped
                continue
            self.statement(index, text, pos)
        return self.chart

    def _front_matter(self, lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """Drop a YAML front matter block (see :mod:`.frontmatter`), reading its ``title``."""
        found = split_front_matter(lines)
        if found.title is not None:
            self.chart.title = found.title
        for level, index, message in found.problems:
            (self.error if level == "error" else self.warn)(index, message)
        return found.body

    def statement(self, index: int, text: str, pos: int) -> None:
        """Read the statements of one line starting at column ``pos``."""
        rest = text[pos:]
        lowered = rest[:17].lower()  # the longest prefix looked at: "inclusiveenddates"
        if lowered.startswith("inclusiveenddates"):
            self.chart.inclusive_end_dates = True
            return
        if lowered.startswith("topaxis"):
            return  # display only (and broken in Mermaid 11 as a statement)
        if rest[:1].isdigit() and _DATE_START_RE.match(rest):
            self.error(index, "a line may not start with a date; expected 'name : data'")
            return
        if lowered.startswith("gantt"):
            self.error(index, "'gantt' may only open the diagram")
            return
        keyword = _KEYWORD_RE.match(rest)
        if keyword:
            self.keyword(index, text, pos, keyword)
            return
        self.tasks(index, text, pos)

    def keyword(self, index: int, text: str, pos: int, match: re.Match[str]) -> None:
        name = match.group("kw").lower()
        value_start = pos + match.end()
        if name in ("title", "section"):
            value = text[value_start:]
            if name == "title":
                self.chart.title = value.strip()
            else:
                self.section = value.strip()
                self.chart.sections.append(self.section)
            return
        if name == "todaymarker":
            return
        end = _VALUE_END_RE.search(text, value_start)
        value = text[value_start : end.start() if end else len(text)].strip()
        if name == "dateformat":
            self.chart.date_format = value
        elif name == "axisformat":
            self.chart.axis_format = value
        elif name == "excludes":
            self.chart.excludes += tuple(v for v in re.split(r"[\s,]+", value.lower()) if v)
        elif name == "includes":
            self.chart.includes += tuple(v for v in re.split(r"[\s,]+", value.lower()) if v)
        elif name == "weekend":
            if value.lower() in ("friday", "saturday"):
                self.chart.weekend = value.lower()
            else:
                self.warn(index, f"'weekend {value}' is not understood; expected friday or saturday")
        if end is not None and text[end.start() :].strip(" #;"):
            self.tasks(index, text, end.start())

    def tasks(self, index: int, text: str, pos: int) -> None:
        """Read ``name : data`` tasks from column ``pos``; ``;`` starts another task."""
        length = len(text)
        search_end = _VALUE_END_RE.search
        while pos < length:
            while pos < length and text[pos] in " \t":
                pos += 1
            if pos >= length:
                return
            colon = text.find(":", pos)
            if colon < 0:
                self.error(index, f"expected 'name : data' (a task needs a ':'), found {text[pos:].strip()!r}")
                return
            name = text[pos:colon].strip()
            end_match = search_end(text, colon + 1)
            if end_match is None:
                self.task(index, name, text, colon + 1, length)
                return
            data_end = end_match.start()
            self.task(index, name, text, colon + 1, data_end)
            pos = data_end
            if text[data_end] == ";":
                continue  # Mermaid reads what follows the ';' as the next task's name
            if ":" not in text[data_end:]:  # a '#'
                self.error(index, "a '#' after a task's data is not allowed (Mermaid rejects the diagram)")
                return

    def task(self, index: int, name: str, text: str, start: int, end: int) -> None:
        items = list(map(str.strip, text[start:end].split(",")))  # spans: Task.item_spans, on demand
        count = len(items)
        first = 0
        while first < count and items[first] in _TAGS:
            first += 1
        if first:
            tags = tuple(items[:first])
            items = items[first:]
            count -= first
        else:
            tags = ()
        if not count:
            self.error(index, f"task {name!r} has no start or duration (expected 'name : [id,] [start,] end')")
            return
        if count > 3:
            self.error(index, f"task {name!r} has {count} items; expected at most 3 (id, start, end)")
            return
        task_id = items[0] if count == 3 else None
        if task_id is not None and not task_id:
            self.warn(index, f"task {name!r} has an empty id")
        start_item = items[-2] if count >= 2 else None
        key = task_id
        if key is None:
            self.anonymous += 1
            key = f"task{self.anonymous}"
        self.chart.tasks.append(
            Task(
                key,
                task_id,
                name,
                self.section,
                tags,
                index + 1,
                start_item,
                items[-1],
                self.last_key,
                None,
                None,
                _new_span(Span, (index, start, end)),
                text,
                self.order,
            )
        )
        self.order += 1
        self.last_key = key


_TAGS: Final = frozenset(TAG_NAMES)
_new_span = tuple.__new__  # Span's own __new__ goes through a keyword-handling wrapper: 3x slower


def parse_gantt(lines: list[tuple[int, str]], file: str | None = None) -> GanttChart:
    """Parse a gantt block given as (0-based line index, text) pairs."""
    return _Parser(file).parse(lines)


# --------------------------------------------------------------------------- resolution


@dataclass
class _Resolver:
    """Mermaid's ``compileTasks``: passes over all tasks until every one has an end."""

    chart: GanttChart
    today: datetime
    file: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.fmt = DateFormat(self.chart.date_format)
        self.by_key: dict[str, Task] = {}
        for task in self.chart.tasks:
            self.by_key[task.key] = task  # Mermaid finds the LAST task with an id
        self.processed = {id(t): False for t in self.chart.tasks}
        self.all_excluded: set[int] = set()
        self.overflowed: set[int] = set()
        self.current: Task | None = None
        self.today_date = self.today.date()
        self.epoch_format = self.fmt.pattern.strip() in ("x", "X")
        # What each distinct start and end item is, read once per resolution instead of once per
        # task and pass (a plan repeats "1h" and "after x" thousands of times). The reference day
        # of both readings is today's, the same for every task.
        self.start_kinds: dict[str, tuple[str, ...] | datetime | None] = {}
        self.end_kinds: dict[str, tuple[int, object]] = {}

    def run(self) -> None:
        for task in self.chart.tasks:
            task.start = task.end = None
        for _ in range(MAX_PASSES):
            if self.compile_all():
                break
        self.report()

    def compile_all(self) -> bool:
        done = True
        for task in self.chart.tasks:
            self.compile(task)
            done = done and self.processed[id(task)]
        return done

    def compile(self, task: Task) -> None:
        self.current = task
        start_item = task.start_item
        if start_item is None:
            prev_key = task.prev_key
            prev = self.by_key.get(prev_key) if prev_key else None
            start = task.start = prev.end if prev is not None else self.today
        else:
            start = self.start_date(start_item)
            if start is not None:
                task.start = start
            else:
                start = task.start
        if start is None:
            return
        end = self.end_date(start, task.end_item)
        if end is not None:
            task.end = self.apply_excludes(task, start, end) if self.chart.excludes else end
            self.processed[id(task)] = task.end is not None

    def start_kind(self, item: str) -> tuple[str, ...] | datetime | None:
        """The ids of an ``after`` item (a tuple), else the date it names (None: not a date)."""
        kind = self.start_kinds.get(item, _UNREAD)
        if kind is _UNREAD:
            kind = self.start_kinds[item] = self._read_start(item)
        return kind  # type: ignore[return-value]

    def _read_start(self, item: str) -> tuple[str, ...] | datetime | None:
        ids = _ids(item, "after")
        if ids is not None:
            return ids
        if self.epoch_format and item.isascii() and item.isdigit():
            try:
                return from_epoch(item, 1)
            except OverflowError:
                return None  # reported as a start that is not a date
        return self.fmt.parse(item, self.today_date)

    def start_date(self, item: str) -> datetime | None:
        kind = self.start_kind(item)
        if type(kind) is not tuple:
            return kind  # type: ignore[return-value]
        latest: Task | None = None
        by_key = self.by_key
        for key in kind:
            other = by_key.get(key)
            if other is not None and (latest is None or _later(other.end, latest.end)):
                latest = other
        return latest.end if latest is not None else self.today

    def end_kind(self, item: str) -> tuple[int, object]:
        """(``_UNTIL``, ids), (``_DATE``, end), (``_DELTA``, timedelta), (``_DURATION``, Duration) or (``_OTHER``, None)."""
        kind = self.end_kinds.get(item)
        if kind is None:
            kind = self.end_kinds[item] = self._read_end(item)
        return kind

    def _read_end(self, item: str) -> tuple[int, object]:
        ids = _ids(item, "until")
        if ids is not None:
            return _UNTIL, ids
        parsed = self.fmt.parse(item, self.today_date)  # time-only ends fall on "today", as in Mermaid
        if parsed is not None:
            return _DATE, parsed + timedelta(days=1) if self.chart.inclusive_end_dates else parsed
        duration = parse_duration(item)
        if duration is None:
            return _OTHER, None
        delta = duration.fixed_length
        return (_DELTA, delta) if delta is not None else (_DURATION, duration)

    def end_date(self, start: datetime, item: str) -> datetime | None:
        kind, value = self.end_kind(item)
        try:
            if kind == _DELTA:
                return start + value  # type: ignore[operator]
            if kind == _DURATION:
                return value.add_to(start)  # type: ignore[attr-defined, no-any-return]
        except OverflowError:
            self.overflowed.add(id(self.current))
            return start
        if kind == _DATE:
            return value  # type: ignore[return-value]
        if kind == _OTHER:
            return start
        earliest: Task | None = None
        for key in value:  # type: ignore[attr-defined]
            other = self.by_key.get(key)
            if other is not None and (earliest is None or _later(earliest.start, other.start)):
                earliest = other
        return earliest.start if earliest is not None else self.today

    def apply_excludes(self, task: Task, start: datetime, end: datetime) -> datetime | None:
        """Push the end one day later for each excluded day in (start, end] (Mermaid's rule).

        None when every day is excluded: Mermaid gives up (after 10,000 days) and draws nothing.
        A run of excluded days longer than a week plus one per excluded date can never end, so
        we stop there instead of walking 10,000 days.
        """
        if not self.chart.excludes or DateFormat("YYYY-MM-DD").parse(task.end_item) is not None:
            return end
        try:
            return self._walk_excludes(task, start, end)
        except OverflowError:  # pushed past the year 9999
            self.overflowed.add(id(task))
            return start

    def _walk_excludes(self, task: Task, start: datetime, end: datetime) -> datetime | None:
        """Day by day, except that a whole week free of dated entries moves in one step (a 9000y task)."""
        longest_run = len(self.chart.excludes) + 7
        per_week = sum(self.excluded_weekday(d) for d in range(7))
        dated = self.dated_entries()
        week = timedelta(days=7)
        run = 0
        day = start + timedelta(days=1)
        while day <= end:
            if per_week < 7 and day + week <= end + timedelta(days=1) and not _any_within(dated, day, day + week):
                end += timedelta(days=per_week)  # the week's excluded days, each pushing the end a day
                day += week
                run = 0
                continue
            if self.excluded(day):
                end += timedelta(days=1)
                run += 1
                if run > longest_run:
                    self.all_excluded.add(id(task))
                    return None
            else:
                run = 0
            day += timedelta(days=1)
        return end

    def excluded_weekday(self, weekday: int) -> bool:
        """Whether the weekday (0 = Monday) is excluded by ``weekends`` or its name."""
        weekend = (4, 5) if self.chart.weekend == "friday" else (5, 6)
        if "weekends" in self.chart.excludes and weekday in weekend:
            return True
        return calendar.day_name[weekday].lower() in self.chart.excludes

    def dated_entries(self) -> list[date]:
        """The days named in ``excludes``/``includes`` by date (sorted): weeks holding one are walked daily."""
        days = set()
        for entry in (*self.chart.excludes, *self.chart.includes):
            parsed = self.fmt.parse(entry) if self.fmt.pattern else None
            parsed = parsed or DateFormat("YYYY-MM-DD").parse(entry)
            if parsed is not None:
                days.add(parsed.date())
            elif entry != "weekends" and entry not in _DAY_NAMES:
                days.add(date.min)  # an entry we cannot place: walk every day, as before
        return sorted(days)

    def excluded(self, day: datetime) -> bool:
        text = self.fmt.format(day) if self.fmt.pattern else day.strftime("%Y-%m-%d")
        iso = day.strftime("%Y-%m-%d")
        if text in self.chart.includes or iso in self.chart.includes:
            return False
        if self.excluded_weekday(day.weekday()):
            return True
        return text in self.chart.excludes or iso in self.chart.excludes

    def report(self) -> None:
        """Explain what Mermaid would silently get wrong or fail on."""
        fine = self.fine if not (self.overflowed or self.all_excluded) else _never
        for task in self.chart.tasks:
            if not fine(task):
                self.report_task(task)

    def fine(self, task: Task) -> bool:
        """Whether :meth:`report_task` would find nothing, known cheaply (most tasks of most plans).

        Scheduled, not ending before it starts, a duration as its end (so no ``until`` ids), and
        a start that is the previous line's end, a date, or ``after`` one id that exists.
        """
        start, end = task.start, task.end
        if start is None or end is None or end < start:
            return False
        end_kind = self.end_kinds.get(task.end_item)
        if end_kind is None or (end_kind[0] != _DELTA and end_kind[0] != _DURATION):
            return False
        start_item = task.start_item
        if start_item is None:
            return task.prev_key is not None
        kind = self.start_kinds.get(start_item)
        if type(kind) is tuple:
            return len(kind) == 1 and kind[0] in self.by_key
        return kind is not None

    def report_task(self, task: Task) -> None:
        diag = self.diagnostics
        line = task.line
        if self.overflowed and id(task) in self.overflowed:
            diag.append(
                Diagnostic(
                    "error",
                    line,
                    f"task {task.name!r}: {task.end_item!r} from {task.start:%Y-%m-%d} ends past the year 9999; it is given zero length",
                    self.file,
                )
            )
        if self.all_excluded and id(task) in self.all_excluded:
            diag.append(
                Diagnostic(
                    "error",
                    line,
                    f"task {task.name!r} never ends: 'excludes' leaves no working day after its start ({', '.join(self.chart.excludes)})",
                    self.file,
                )
            )
            return
        start_item = task.start_item
        after = None if start_item is None else self.start_kind(start_item)
        if type(after) is not tuple:
            after = None
        start, end = task.start, task.end
        if (start is None or end is None) and (start_item is None or after is not None or start is not None):
            diag.append(
                Diagnostic(
                    "error",
                    line,
                    f"task {task.name!r} could not be scheduled: it waits for tasks that are never scheduled (a cycle or too long a chain)",
                    self.file,
                )
            )
        after_ids = task.after_ids
        until_ids = task.until_ids
        if after_ids or until_ids:
            self.report_unknown_ids(task, after_ids, until_ids)
        if start_item is not None and after is None and start is None:
            diag.append(
                Diagnostic(
                    "error",
                    line,
                    f"task {task.name!r}: start {task.start_item!r} is not a date in dateFormat {self.chart.date_format!r}",
                    self.file,
                )
            )
        if start_item is None and task.prev_key is None:
            diag.append(
                Diagnostic(
                    "error",
                    line,
                    f"task {task.name!r} is the first task and has no start: Mermaid rejects the diagram "
                    f"(e.g. '{task.name} :{task.id or 'id'}, <start>, {task.end_item}')",
                    self.file,
                )
            )
        if start is None or end is None:
            return
        end_item = task.end_item
        if (
            self.end_kind(end_item)[0] in (_DATE, _OTHER)  # not until ids nor a duration
            and parse_duration(end_item) is None
            and self.fmt.parse(end_item, start.date()) is None
        ):
            diag.append(
                Diagnostic(
                    "warning",
                    line,
                    f"task {task.name!r}: end {task.end_item!r} is neither a date in {self.chart.date_format!r} nor a duration like 8h; Mermaid gives it zero length",
                    self.file,
                )
            )
        if end < start:
            diag.append(Diagnostic("warning", line, f"task {task.name!r} ends before it starts", self.file))
        if len(after_ids) > 1:
            ends = [e for k in task.after_ids if k in self.by_key and (e := self.by_key[k].end) is not None]
            if ends and max(ends) > start:
                diag.append(
                    Diagnostic(
                        "warning",
                        line,
                        f"task {task.name!r}: Mermaid starts it after the first resolved id of 'after {' '.join(task.after_ids)}', not the latest end ({max(ends):%Y-%m-%d %H:%M}); list the later-defined id first",
                        self.file,
                    )
                )

    def report_unknown_ids(self, task: Task, after_ids: tuple[str, ...], until_ids: tuple[str, ...]) -> None:
        for keyword, ids in (("after", after_ids), ("until", until_ids)):
            for key in ids:
                if key not in self.by_key:
                    self.diagnostics.append(
                        Diagnostic(
                            "warning",
                            task.line,
                            f"task {task.name!r}: unknown id {key!r} in '{keyword} {' '.join(ids)}'",
                            self.file,
                        )
                    )


_UNREAD: Final = object()


def _never(task: Task) -> bool:
    return False


# What an end item is (Mermaid's order: ``until`` ids, a date, a duration, else nothing).
_UNTIL, _DATE, _DELTA, _DURATION, _OTHER = range(5)

_IDS_RES = {k: re.compile(rf"{k}\s+([\w\- ]+)", re.ASCII) for k in ("after", "until")}


@lru_cache(maxsize=1 << 17)  # every pass and the report ask again for the same items
def _ids(item: str, keyword: str) -> tuple[str, ...] | None:
    match = _IDS_RES[keyword].match(item)
    if not match:
        return None
    return tuple(match.group(1).split(" "))


def _later(a: datetime | None, b: datetime | None) -> bool:
    """JavaScript's ``a > b`` where an unset date compares false either way."""
    return a is not None and b is not None and a > b


def default_today(date_format: str) -> datetime:
    """Mermaid's "today 00:00": the mission's day (1970-01-01) for date-less formats."""
    if date_format and not DateFormat(date_format).has_date:
        return EPOCH
    return datetime.combine(datetime.now().date(), datetime.min.time())


def resolve(chart: GanttChart, today: datetime | None = None, file: str | None = None) -> list[Diagnostic]:
    """Fill every task's start and end as Mermaid would; return diagnostics about the result.

    ``today`` is Mermaid's "today 00:00" (the fallback for ``after`` with no known id); it is
    also the day of date-less formats. Default: 1970-01-01 for date-less formats, else today.
    """
    resolver = _Resolver(chart, today if today is not None else default_today(chart.date_format), file)
    resolver.run()
    return resolver.diagnostics


_DAY_NAMES = frozenset(name.lower() for name in calendar.day_name)


def _any_within(days: list[date], start: datetime, end: datetime) -> bool:
    """Whether a day of the sorted ``days`` falls in [start, end) (``date.min`` stands for "any day")."""
    if days and days[0] == date.min:
        return True
    index = bisect.bisect_left(days, start.date())
    return index < len(days) and days[index] < end.date()
