"""Mermaid gantt semantics, case by case (Mermaid 11.14, TZ=UTC, "today" pinned).

Each table row is a small gantt body and the start/end Mermaid computes for its tasks; the rows
follow /work/shared/reference/mermaid-semantics.md and Mermaid's own ``ganttDb.spec.ts``.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from mission_control.plan import parse_plan

TODAY = datetime(2024, 6, 3)  # a Monday; Mermaid's "today 00:00" for unknown `after` ids


def parse(body: str, today: datetime = TODAY, header: str = "gantt\n"):
    """Parse a plan made of one ```mermaid gantt block with ``body`` inside it."""
    return parse_plan(f"# Plan\n\n```mermaid\n{header}{body}\n```\n", "plan.md", today)


def times(body: str, today: datetime = TODAY) -> dict[str, tuple[datetime | None, datetime | None]]:
    """Task key → (start, end) as resolved."""
    return {t.key: (t.start, t.end) for t in parse(body, today).tasks}


def d(text: str) -> datetime:
    return datetime.fromisoformat(text)


def messages(plan, severity: str) -> list[str]:
    return [m.message for m in plan.diagnostics if m.severity == severity]


# --------------------------------------------------------------------------- task-line forms

TASK_FORMS = [
    # (task data, expected key, id, start, end)
    ("id1, 2013-01-01, 2013-01-12", "id1", "id1", "2013-01-01", "2013-01-12"),
    ("id1,2013-01-01,2d", "id1", "id1", "2013-01-01", "2013-01-03"),
    ("id1,2013-01-01,2h", "id1", "id1", "2013-01-01", "2013-01-01T02:00"),
    ("id1,2013-01-01,2m", "id1", "id1", "2013-01-01", "2013-01-01T00:02"),
    ("id1,2013-01-01,2s", "id1", "id1", "2013-01-01", "2013-01-01T00:00:02"),
    ("id1,2013-01-01,2w", "id1", "id1", "2013-01-01", "2013-01-15"),
    ("2013-01-01,2013-01-12", "task1", None, "2013-01-01", "2013-01-12"),
    ("2013-01-01,4d", "task1", None, "2013-01-01", "2013-01-05"),
    ("  id1 ,  2013-01-01 , 4d  ", "id1", "id1", "2013-01-01", "2013-01-05"),
]


@pytest.mark.parametrize(("data", "key", "task_id", "start", "end"), TASK_FORMS)
def test_single_task_forms(data, key, task_id, start, end):
    plan = parse(f"dateFormat YYYY-MM-DD\nsection testa1\ntest1 :{data}")
    task = plan.tasks[0]
    assert (task.key, task.id, task.name, task.section) == (key, task_id, "test1", "testa1")
    assert (task.start, task.end) == (d(start), d(end))
    assert plan.errors == []


SECOND_TASK = [
    # (data of the second task after `test1 :id1,2013-01-01,2w`, key, start, end)
    ("id2,after id1,1d", "id2", "2013-01-15", "2013-01-16"),
    ("id2,after id3,1d", "id2", "2024-06-03", "2024-06-04"),  # unknown id: today 00:00
    ("after id1,1d", "task1", "2013-01-15", "2013-01-16"),
    ("2013-01-26", "task1", "2013-01-15", "2013-01-26"),  # one item: an end, start = previous end
    ("2d", "task1", "2013-01-15", "2013-01-17"),
]


@pytest.mark.parametrize(("data", "key", "start", "end"), SECOND_TASK)
def test_second_task_forms(data, key, start, end):
    plan = parse(f"dateFormat YYYY-MM-DD\nsection testa1\ntest1 :id1,2013-01-01,2w\ntest2 :{data}")
    task = plan.tasks[1]
    assert (task.key, task.start, task.end) == (key, d(start), d(end))


def test_unknown_after_id_is_a_warning_naming_the_line():
    plan = parse("dateFormat YYYY-MM-DD\ntest1 :id1,2013-01-01,2w\ntest2 :id2,after id3,1d")
    warnings = [w for w in plan.warnings if "id3" in w.message]
    assert len(warnings) == 1 and warnings[0].line == 7 and warnings[0].file == "plan.md"


def test_milliseconds_with_x_format():
    got = times(
        "dateFormat x\nsection testa1\ntest1 :id1,0,20ms\ntest2 :id2,after id1,5ms\n"
        "section testa2\ntest3 :id3,20,10ms\ntest4 :id4,after id3,0.005s"
    )
    ms = lambda n: d("1970-01-01") + (d("1970-01-01T00:00:00.001") - d("1970-01-01")) * n
    assert got == {
        "id1": (ms(0), ms(20)),
        "id2": (ms(20), ms(25)),
        "id3": (ms(20), ms(30)),
        "id4": (ms(30), ms(35)),
    }


def test_upper_x_start_is_milliseconds_but_end_is_seconds():
    got = times("dateFormat X\na :a, 0, 71\nb :b, 1000, 2d")
    assert got["a"] == (d("1970-01-01"), d("1970-01-01T00:01:11"))
    assert got["b"] == (d("1970-01-01T00:00:01"), d("1970-01-03T00:00:01"))


def test_relative_start_regardless_of_sections():
    got = times(
        "dateFormat YYYY-MM-DD\nsection sec1\ntest1 :id1,2013-01-01,2w\ntest2 :id2,after id3,1d\n"
        "section sec2\ntest3 :id3,after id1,2d"
    )
    assert got["id2"] == (d("2013-01-17"), d("2013-01-18"))
    assert got["id3"] == (d("2013-01-15"), d("2013-01-17"))


def test_until_takes_the_earliest_start_regardless_of_sections():
    got = times(
        "dateFormat YYYY-MM-DD\nsection sec1\ntask1 :id1,2013-01-01,until id3\nsection sec2\n"
        "task2 :id2,2013-01-10,until id3\ntask3 :id3,2013-02-01,2d"
    )
    assert got["id1"] == (d("2013-01-01"), d("2013-02-01"))
    assert got["id2"] == (d("2013-01-10"), d("2013-02-01"))
    got = times(
        "dateFormat YYYY-MM-DD\ntask1 :id1,2013-01-01,until id2 id3 id4\ntask2 :id2,2013-01-11,1d\n"
        "task3 :id3,2013-02-10,1d\ntask4 :id4,2013-02-12,1d"
    )
    assert got["id1"][1] == d("2013-01-11")


def test_until_with_no_known_id_ends_today():
    plan = parse("dateFormat YYYY-MM-DD\ntask1 :id1,2013-01-01,until nobody")
    assert plan.tasks[0].end == TODAY
    assert any("nobody" in w.message for w in plan.warnings)


def test_after_several_ids_takes_the_latest_end_once_all_resolve():
    got = times(
        "dateFormat YYYY-MM-DD\ntask1 :id1,after id2 id3 id4,1d\ntask2 :id2,2013-01-01,1d\n"
        "task3 :id3,2013-02-01,3d\ntask4 :id4,2013-02-01,2d"
    )
    assert got["id1"] == (d("2013-02-04"), d("2013-02-05"))


def test_after_a_b_quirk_with_b_defined_later():
    """In the first pass only `a` has an end, so Mermaid takes it and never looks again."""
    plan = parse("dateFormat YYYY-MM-DD\na :a, 2020-01-01, 1d\nc :c, after a b, 1d\nb :b, 2020-01-05, 1d")
    c = plan.task("c")
    assert (c.start, c.end) == (d("2020-01-02"), d("2020-01-03"))
    assert any("after a b" in w.message for w in plan.warnings)


def test_after_b_a_with_b_defined_later_waits_for_a_second_pass():
    got = times("dateFormat YYYY-MM-DD\na :a, 2020-01-01, 1d\nc :c, after b a, 1d\nb :b, 2020-01-05, 1d")
    assert got["c"] == (d("2020-01-06"), d("2020-01-07"))


def test_quirk_is_corrected_when_another_task_forces_a_second_pass():
    got = times(
        "dateFormat YYYY-MM-DD\nz :z, after b, 1d\na :a, 2020-01-01, 1d\nc :c, after a b, 1d\nb :b, 2020-01-05, 1d"
    )
    assert got["c"] == (d("2020-01-06"), d("2020-01-07"))


def test_the_order_of_tasks_example_from_mermaids_spec():
    body = """dateFormat YYYY-MM-DD
section A section
Completed task :done,    des1, 2014-01-06,2014-01-08
Active task :active,  des2, 2014-01-09, 3d
Future task :des3, after des2, 5d
Future task2 :des4, after des3, 5d
section Critical tasks
Completed task in the critical line :crit, done, 2014-01-06,24h
Implement parser and jison :crit, done, after des1, 2d
Create tests for parser :crit, active, 3d
Future task in critical line :crit, 5d
Create tests for renderer :2d
Add to mermaid :1d
section Documentation
Describe gantt syntax :active, a1, after des1, 3d
Add gantt diagram to demo page :after a1  , 20h
Add another diagram to demo page :doc1, after a1  , 48h
section Last section
Describe gantt syntax :after doc1, 3d
Add gantt diagram to demo page :20h
Add another diagram to demo page :48h"""
    plan = parse(body)
    got = [(t.key, t.start, t.end) for t in plan.tasks]
    expected = [
        ("des1", "2014-01-06", "2014-01-08"),
        ("des2", "2014-01-09", "2014-01-12"),
        ("des3", "2014-01-12", "2014-01-17"),
        ("des4", "2014-01-17", "2014-01-22"),
        ("task1", "2014-01-06", "2014-01-07"),
        ("task2", "2014-01-08", "2014-01-10"),
        ("task3", "2014-01-10", "2014-01-13"),
        ("task4", "2014-01-13", "2014-01-18"),
        ("task5", "2014-01-18", "2014-01-20"),
        ("task6", "2014-01-20", "2014-01-21"),
        ("a1", "2014-01-08", "2014-01-11"),
        ("task7", "2014-01-11", "2014-01-11T20:00"),
        ("doc1", "2014-01-11", "2014-01-13"),
        ("task8", "2014-01-13", "2014-01-16"),
        ("task9", "2014-01-16", "2014-01-16T20:00"),
        ("task10", "2014-01-16T20:00", "2014-01-18T20:00"),
    ]
    assert got == [(k, d(s), d(e)) for k, s, e in expected]
    assert [t.tags for t in plan.tasks[:3]] == [("done",), ("active",), ()]
    assert plan.tasks[6].tags == ("crit", "active")
    assert [t.order for t in plan.tasks] == list(range(16))
    assert plan.sections == ["A section", "Critical tasks", "Documentation", "Last section"]


def test_end_on_the_31st():
    got = times("dateFormat YYYY-MM-DD\ntest1 :id1,2019-09-30,11d\ntest2 :id2,after id1,20d")
    assert got == {"id1": (d("2019-09-30"), d("2019-10-11")), "id2": (d("2019-10-11"), d("2019-10-31"))}


def test_a_first_task_without_a_start_is_an_error_as_in_mermaid():
    # Mermaid 11 throws "Cannot read properties of undefined (reading 'endTime')": there is no previous task
    plan = parse("dateFormat YYYY-MM-DD\nfirst :3d")
    assert (plan.tasks[0].start, plan.tasks[0].end) == (TODAY, d("2024-06-06"))  # still drawn somewhere
    assert messages(plan, "error") == [
        "task 'first' is the first task and has no start: Mermaid rejects the diagram (e.g. 'first :id, <start>, 3d')"
    ]
    assert messages(parse("dateFormat YYYY-MM-DD\nfirst :f, 2024-06-03, 3d\nsecond :2d"), "error") == []


def test_implicit_start_follows_the_previous_line_even_across_sections():
    got = times("dateFormat YYYY-MM-DD\nsection A\na :a, 2020-01-01, 2d\nsection B\nb :1d\nc :2d")
    assert got == {
        "a": (d("2020-01-01"), d("2020-01-03")),
        "task1": (d("2020-01-03"), d("2020-01-04")),
        "task2": (d("2020-01-04"), d("2020-01-06")),
    }


def test_two_items_are_start_and_end_so_an_id_there_is_an_invalid_date():
    plan = parse("dateFormat YYYY-MM-DD\na :a, 2020-01-01, 2d\nb :b1, 2d")
    b = plan.tasks[1]
    assert (b.key, b.id, b.start_item, b.resolved) == ("task1", None, "b1", False)
    assert any("'b1' is not a date" in e.message and e.line == 7 for e in plan.errors)


def test_anonymous_tasks_count_only_id_less_tasks_and_can_be_referenced():
    plan = parse(
        "dateFormat YYYY-MM-DD\nx :2020-01-01, 1d\ny :y, 2020-01-10, 1d\nz :2020-01-20, 2d\nw :w, after task2, 1d"
    )
    assert [(t.key, t.id) for t in plan.tasks] == [("task1", None), ("y", "y"), ("task2", None), ("w", "w")]
    assert plan.task("w").start == d("2020-01-22")


def test_duplicate_ids_last_one_wins_even_further_down():
    plan = parse("dateFormat YYYY-MM-DD\na :a, 2020-01-01, 1d\nc :c, after a, 1d\na again :a, 2020-02-01, 1d")
    assert plan.task("c").start == d("2020-02-02")
    assert len(plan.tasks) == 3 and plan.task("a").name == "a again"
    dup = [w for w in plan.warnings if "duplicate" in w.message]
    assert len(dup) == 1 and dup[0].line == 8


# --------------------------------------------------------------------------- tags

TAGS = [
    ("crit, a, 2020-01-01, 1d", ("crit",), "a"),
    ("done, active, crit, milestone, a, 2020-01-01, 1d", ("done", "active", "crit", "milestone"), "a"),
    (" crit , done ,a,2020-01-01,1d", ("crit", "done"), "a"),
    ("crit, crit, a, 2020-01-01, 1d", ("crit", "crit"), "a"),
    ("vert, a, 2020-01-01, 1d", ("vert",), "a"),
]


@pytest.mark.parametrize(("data", "tags", "key"), TAGS)
def test_leading_tags(data, tags, key):
    plan = parse(f"dateFormat YYYY-MM-DD\nt :{data}")
    assert plan.tasks[0].tags == tags and plan.tasks[0].key == key
    assert plan.tasks[0].start == d("2020-01-01")


def test_capitalised_crit_is_not_a_tag():
    plan = parse("dateFormat YYYY-MM-DD\nt :Crit, a, 2020-01-01, 1d")
    assert plan.tasks == [] or plan.tasks[0].tags == ()
    assert plan.errors and plan.errors[0].line == 6


def test_a_tag_after_the_first_item_is_not_a_tag():
    plan = parse("dateFormat YYYY-MM-DD\nt :a, 2020-01-01, crit")
    task = plan.tasks[0]
    assert task.tags == () and task.end_item == "crit"
    assert task.start == task.end == d("2020-01-01")  # an invalid end: zero length
    assert any("zero length" in w for w in messages(plan, "warning"))


def test_tags_only_is_an_error_naming_the_line():
    plan = parse("dateFormat YYYY-MM-DD\nt :crit")
    assert plan.tasks == []
    assert [e.line for e in plan.errors] == [6]


def test_four_items_is_an_error_naming_the_line():
    plan = parse("dateFormat YYYY-MM-DD\nt :a, b, 2020-01-01, 1d")
    assert plan.tasks == [] and [e.line for e in plan.errors] == [6]


# --------------------------------------------------------------------------- durations

DURATIONS = [
    ("250ms", "2020-01-31T10:00:00.250"),
    ("30s", "2020-01-31T10:00:30"),
    ("0.1s", "2020-01-31T10:00:00.100"),
    ("90m", "2020-01-31T11:30"),
    ("1.5h", "2020-01-31T11:30"),
    ("8h", "2020-01-31T18:00"),
    ("1d", "2020-02-01T10:00"),
    ("1.5d", "2020-02-02T10:00"),
    ("0.5d", "2020-02-01T10:00"),
    ("2.5d", "2020-02-03T10:00"),
    ("0.4d", "2020-01-31T10:00"),
    ("1w", "2020-02-07T10:00"),
    ("0.5w", "2020-02-04T10:00"),
    ("1M", "2020-02-29T10:00"),
    ("13M", "2021-02-28T10:00"),
    ("1y", "2021-01-31T10:00"),
]


@pytest.mark.parametrize(("duration", "end"), DURATIONS)
def test_durations(duration, end):
    got = times(f"dateFormat YYYY-MM-DD HH:mm\nt :t, 2020-01-31 10:00, {duration}")
    assert got["t"] == (d("2020-01-31T10:00"), d(end))


def test_year_from_a_leap_day_clamps():
    assert times("dateFormat YYYY-MM-DD\nt :t, 2020-02-29, 1y")["t"][1] == d("2021-02-28")


@pytest.mark.parametrize("bad", ["2D", "3dX", "5 d", "-1d", "0", "1f", "d", "1.d", ".5d", "3d %% note", "1H", "1 d"])
def test_invalid_durations_give_zero_length(bad):
    plan = parse(f"dateFormat YYYY-MM-DD\nt :t, 2020-01-01, {bad}\nu :u, after t, 1d")
    assert plan.task("t").start == plan.task("t").end == d("2020-01-01")
    assert plan.task("u").start == d("2020-01-01")
    assert plan.errors == []
    assert any("zero length" in w.message and w.line == 6 for w in plan.warnings)


# --------------------------------------------------------------------------- excludes / includes


def test_thursday_plus_three_days_ends_tuesday_with_weekends_excluded():
    got = times("dateFormat YYYY-MM-DD\nexcludes weekends\nt :t, 2020-01-02, 3d\nu :u, after t, 1d")
    assert got["t"] == (d("2020-01-02"), d("2020-01-07"))
    assert got["u"] == (d("2020-01-07"), d("2020-01-08"))


def test_mermaids_weekend_example():
    got = times(
        "dateFormat YYYY-MM-DD\nexcludes weekends 2019-02-06,friday\nsection weekends skip test\n"
        "test1 :id1,2019-02-01,1d\ntest2 :id2,after id1,2d\ntest3 :id3,after id2,7d\n"
        "test4 :id4,2019-02-01,2019-02-20\ntest5 :id5,after id4,1d\nsection full ending task on last day\n"
        "test6 :id6,2019-02-13,2d\ntest7 :id7,after id6,1d"
    )
    expected = {
        "id1": ("2019-02-01", "2019-02-04"),
        "id2": ("2019-02-04", "2019-02-07"),
        "id3": ("2019-02-07", "2019-02-20"),
        "id4": ("2019-02-01", "2019-02-20"),
        "id5": ("2019-02-20", "2019-02-21"),
        "id6": ("2019-02-13", "2019-02-18"),
        "id7": ("2019-02-18", "2019-02-19"),
    }
    assert got == {k: (d(s), d(e)) for k, (s, e) in expected.items()}


def test_friday_saturday_weekend():
    got = times("dateFormat YYYY-MM-DD\nexcludes weekends\nweekend friday\nt :t,2024-02-28, 3d")
    assert got["t"] == (d("2024-02-28"), d("2024-03-04"))


EXCLUDES = [
    ("excludes monday", "2020-01-03", "2d", "2020-01-05"),  # Fri + 2d = Sun: Monday is never reached
    ("excludes sunday", "2020-01-03", "2d", "2020-01-06"),  # Sat ok, Sun excluded → Mon
    ("excludes 2020-01-04", "2020-01-03", "2d", "2020-01-06"),
    ("excludes weekends\nincludes 2020-01-04", "2020-01-03", "2d", "2020-01-06"),  # Sat included, Sun not
    ("excludes weekdays", "2020-01-03", "2d", "2020-01-05"),  # unknown word: ignored
    ("excludes weekdays, saturday", "2020-01-03", "2d", "2020-01-06"),
    ("excludes weekends", "2020-01-04", "1d", "2020-01-06"),  # starts on Sat: not moved, Sun pushes
    ("excludes weekends", "2020-01-04", "2020-01-05", "2020-01-05"),  # a plain-date end is manual
    ("excludes weekends", "2020-01-03", "8h", "2020-01-03T08:00"),  # sub-day: never changed
    ("excludes weekends", "2020-01-03", "until x", "2020-01-10"),
    ("excludes Weekends", "2020-01-02", "3d", "2020-01-07"),  # lower-cased
]


@pytest.mark.parametrize(("excludes", "start", "end_item", "end"), EXCLUDES)
def test_excludes_and_includes(excludes, start, end_item, end):
    fmt = "YYYY-MM-DD"
    got = times(f"dateFormat {fmt}\n{excludes}\nt :t, {start}, {end_item}\nx :x, 2020-01-08, 1d")
    assert got["t"] == (d(start), d(end))


def test_monday_excluded_pushes_an_end_landing_on_monday():
    assert times("dateFormat YYYY-MM-DD\nexcludes monday\nt :t, 2020-01-03, 3d")["t"][1] == d("2020-01-07")


def test_explicit_end_with_a_time_format_is_extended():
    got = times("dateFormat YYYY-MM-DD HH:mm\nexcludes weekends\nt :t, 2020-01-02 00:00, 2020-01-05 00:00")
    assert got["t"][1] == d("2020-01-07")


def test_excluding_every_day_does_not_hang():
    plan = parse(
        "dateFormat YYYY-MM-DD\nexcludes weekends,monday,tuesday,wednesday,thursday,friday\nt :t, 2019-02-01, 7d"
    )
    assert plan.errors and plan.errors[0].line == 7
    assert "exclude" in plan.errors[0].message


def test_excluding_every_day_but_friday_resolves():
    plan = parse("dateFormat YYYY-MM-DD\nexcludes weekends,monday,tuesday,wednesday,thursday\nt :t, 2019-02-01, 7d")
    assert plan.errors == [] and plan.tasks[0].resolved


# --------------------------------------------------------------------------- inclusive ends, formats


def test_inclusive_end_dates_add_a_day_to_explicit_ends_only():
    got = times(
        "dateFormat YYYY-MM-DD\ninclusiveEndDates\ntest1 :id1,2019-02-01,1d\ntest2 :id2,2019-02-01,2019-02-03\n"
        "test3 :id3,2019-02-01,until id1"
    )
    assert got["id1"] == (d("2019-02-01"), d("2019-02-02"))
    assert got["id2"] == (d("2019-02-01"), d("2019-02-04"))
    assert got["id3"] == (d("2019-02-01"), d("2019-02-01"))


TIME_ONLY = [
    ("HH:mm", "08:00", "2h", "1970-01-01T08:00", "1970-01-01T10:00"),
    ("HH:mm", "22:00", "4h", "1970-01-01T22:00", "1970-01-02T02:00"),
    ("HH:mm", "08:00", "10:30", "1970-01-01T08:00", "1970-01-01T10:30"),
    ("HH:mm:ss", "08:00:30", "90s", "1970-01-01T08:00:30", "1970-01-01T08:02:00"),
    ("H:mm", "8:05", "1h", "1970-01-01T08:05", "1970-01-01T09:05"),
    ("hh:mm a", "02:00 pm", "1h", "1970-01-01T14:00", "1970-01-01T15:00"),
]


@pytest.mark.parametrize(("fmt", "start", "end_item", "start_at", "end_at"), TIME_ONLY)
def test_time_only_formats_fall_on_1970_01_01(fmt, start, end_item, start_at, end_at):
    plan = parse_plan(f"```mermaid\ngantt\ndateFormat {fmt}\nt :t, {start}, {end_item}\n```\n")
    assert (plan.tasks[0].start, plan.tasks[0].end) == (d(start_at), d(end_at))


def test_time_only_end_before_start_is_kept_with_a_warning():
    plan = parse_plan("```mermaid\ngantt\ndateFormat HH:mm\nt :t, 23:30, 01:00\n```\n")
    assert (plan.tasks[0].start, plan.tasks[0].end) == (d("1970-01-01T23:30"), d("1970-01-01T01:00"))
    assert any("ends before it starts" in w.message and w.line == 4 for w in plan.warnings)


def test_strict_parsing_rejects_unpadded_times_with_an_error_naming_the_line():
    plan = parse_plan("```mermaid\ngantt\ndateFormat HH:mm\nt :t, 8:00, 2h\n```\n")
    assert not plan.tasks[0].resolved
    assert any("8:00" in e.message and e.line == 4 for e in plan.errors)


DATE_FORMATS = [
    ("YYYY-MM-DD", "2020-02-30", None),
    ("YYYYMMDD", "202304", None),  # "ridiculous years" are refused
    ("DD/MM/YYYY", "05/01/2020", "2020-01-05"),
    ("D MMM YYYY", "5 Jan 2020", "2020-01-05"),
    ("MMMM Do YYYY", "January 5th 2020", "2020-01-05"),
    ("YYYY-MM-DDTHH:mm:ss", "2020-01-05T13:14:15", "2020-01-05T13:14:15"),
    ("YYYY-MM-DD", "2020-1-05", None),
]


@pytest.mark.parametrize(("fmt", "text", "expected"), DATE_FORMATS)
def test_date_formats_parse_strictly(fmt, text, expected):
    plan = parse(f"dateFormat {fmt}\nt :t, {text}, 1d")
    task = plan.tasks[0]
    if expected is None:
        assert not task.resolved and any(text in e.message for e in plan.errors)
    else:
        assert task.start == d(expected)


def test_no_date_format_reads_iso_dates_and_warns():
    plan = parse("t :t, 2020-01-05, 1d")
    assert plan.tasks[0].start == d("2020-01-05")
    assert any("dateFormat" in w.message for w in plan.warnings)


# --------------------------------------------------------------------------- statements and text


def test_semicolon_in_task_data_starts_the_next_task():
    plan = parse("dateFormat YYYY-MM-DD\na :a, 2020-01-01, 1d; b :b, after a, 1d")
    # Mermaid reads on from the ';' itself, so the second name keeps it
    assert [(t.key, t.name, t.line) for t in plan.tasks] == [("a", "a", 6), ("b", "; b", 6)]
    assert plan.task("b").start == d("2020-01-02")


def test_hash_after_task_data_is_an_error():
    plan = parse("dateFormat YYYY-MM-DD\na :a, 2020-01-01, 1d # note")
    assert [e.line for e in plan.errors] == [6]


def test_leading_semicolon_or_hash_stays_in_the_name():
    plan = parse("dateFormat YYYY-MM-DD\n#1 first :a, 2020-01-01, 1d")
    assert plan.tasks[0].name == "#1 first"


def test_trailing_comment_stays_in_the_data():
    plan = parse("dateFormat YYYY-MM-DD\na :a, 2020-01-01, 3d %% three days")
    assert plan.tasks[0].end == plan.tasks[0].start


KEYWORD_LINES = [
    ("Section review :r1, 1d", "section", "review :r1, 1d"),
    ("SECTION  Spaced ; kept # too", "section", "Spaced ; kept # too"),
    ("Title page :t1, 2020-01-01, 1d", "title", "page :t1, 2020-01-01, 1d"),
    ("Sections overview :s1, 2020-01-01, 1d", "task", "Sections overview"),
    ("Titles :t1, 2020-01-01, 1d", "task", "Titles"),
    ("excludes monday", "excludes", ("monday",)),
]


@pytest.mark.parametrize(("line", "kind", "value"), KEYWORD_LINES)
def test_keyword_collisions(line, kind, value):
    plan = parse(f"dateFormat YYYY-MM-DD\n{line}")
    if kind == "section":
        assert plan.sections == [value] and plan.tasks == []
    elif kind == "title":
        assert plan.title == value and plan.tasks == []
    elif kind == "excludes":
        assert plan.excludes == value
    else:
        assert [t.name for t in plan.tasks] == [value]


def test_sections_keep_order_even_when_empty_and_tasks_before_them_have_none():
    plan = parse("dateFormat YYYY-MM-DD\nfirst :a, 2020-01-01, 1d\nsection Empty\nsection Full\nb :b, 1d")
    assert plan.sections == ["Empty", "Full"]
    assert [t.section for t in plan.tasks] == ["", "Full"]


def test_comments_and_directives_are_ignored():
    plan = parse(
        "%%{init: {'theme': 'dark'}}%%\n  %% a comment : with a colon\ndateFormat YYYY-MM-DD\n"
        "%% t :t, 2020-01-01, 1d\nu :u, 2020-01-01, 1d"
    )
    assert [t.key for t in plan.tasks] == ["u"] and plan.errors == []


def test_directive_before_the_gantt_header():
    plan = parse("dateFormat YYYY-MM-DD\nu :u, 2020-01-01, 1d", header="%%{init: {'theme': 'dark'}}%%\ngantt\n")
    assert [t.key for t in plan.tasks] == ["u"] and plan.errors == []


def test_front_matter_title():
    text = "```mermaid\n---\ntitle: From front matter\ndisplayMode: compact\n---\ngantt\ndateFormat YYYY-MM-DD\nu :u, 2020-01-01, 1d\n```\n"
    plan = parse_plan(text)
    assert plan.title == "From front matter" and [t.key for t in plan.tasks] == ["u"]
    assert plan.errors == []


def test_title_and_axis_format_and_accessibility_lines():
    plan = parse(
        "title My ; plan # one\naxisFormat %H:%M\naccTitle: hello\naccDescr {\n  several\n  lines : here\n}\n"
        "dateFormat YYYY-MM-DD\ntickInterval 1day\ntodayMarker off\nweekday monday\nu :u, 2020-01-01, 1d"
    )
    assert plan.title == "My ; plan # one" and plan.axis_format == "%H:%M"
    assert [t.key for t in plan.tasks] == ["u"] and plan.errors == []


@pytest.mark.parametrize("line", ["2020-01-01 :a, 1d", "gantt"])
def test_lines_starting_with_a_date_or_gantt_are_errors(line):
    plan = parse(f"dateFormat YYYY-MM-DD\n{line}\nu :u, 2020-01-01, 1d")
    assert [e.line for e in plan.errors] == [6]
    assert [t.key for t in plan.tasks] == ["u"]


def test_a_line_without_colon_is_an_error_naming_line_and_expectation():
    plan = parse("dateFormat YYYY-MM-DD\njust words\nu :u, 2020-01-01, 1d")
    assert [e.line for e in plan.errors] == [6]
    assert "name : data" in plan.errors[0].message and plan.errors[0].file == "plan.md"


def test_cycles_leave_tasks_unscheduled_with_errors():
    plan = parse("dateFormat YYYY-MM-DD\na :a, after b, 1d\nb :b, after a, 1d\nc :c, after c, 1d")
    assert not any(t.resolved for t in plan.tasks)
    cycle = [e for e in plan.errors if "cycle" in e.message]
    assert any("a → b → a" in e.message for e in cycle) and any("c → c" in e.message for e in cycle)


def test_chains_longer_than_eleven_passes_stay_unscheduled():
    lines = ["dateFormat YYYY-MM-DD"]
    for i in range(1, 15):  # each task waits for the one defined after it: one pass each
        lines.append(f"t{i} :t{i}, after t{i + 1}, 1d")
    lines.append("t15 :t15, 2020-01-01, 1d")
    plan = parse("\n".join(lines))
    resolved = {t.key for t in plan.tasks if t.resolved}
    assert "t15" in resolved and "t1" not in resolved
    assert any("could not be scheduled" in e.message for e in plan.errors)


def test_durations_past_the_year_9999_are_errors_not_crashes():
    plan = parse("dateFormat YYYY-MM-DD\na :a, 9990-01-01, 20y\nb :b, 2020-01-01, 99999y")
    assert plan.task("a").end == plan.task("a").start and [e.line for e in plan.errors] == [6]
    assert plan.task("b").end == plan.task("b").start  # not a duration at all: zero length, a warning
    assert any(w.line == 7 and "zero length" in w.message for w in plan.warnings)
