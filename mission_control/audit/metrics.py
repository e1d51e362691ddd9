"""The plan's success metrics and checkpoints, turned into live gauges where measurable.

A plan says what success looks like in plain words ("75% reduction in manager classes",
"Zero broken imports", "Single ID generation source", "<10ms agent creation time"). This
module finds those lines (under "Success Metrics", "Success Criteria", "Hour N Checkpoint",
"Day N Final"), recognises the phrases it can measure, and evaluates each as
baseline -> now -> target, met or not. Phrases it does not recognise are *manual* (to be
signed off by a person) unless the config's ``[metrics]`` table maps them::

    [metrics]
    "Zero session leakage" = { metric = "tests.failed", target = 0 }
    "Single tool execution path" = "manual"
    "50% reduction in factory code" = { metric = "components.factory.lines", reduction = 50 }

Metric names: any key of :meth:`AuditResult.metrics` (``duplicates``, ``broken_imports``,
``roles.Manager``, ``components.<name>.lines``, ``lines``...), ``defs~<words>`` (top-level
classes/functions whose name contains every word, tests excluded), ``lines~<word>`` (lines
of component ``<word>`` or of files whose path contains it), or any name passed in
``extra`` values (``tests.failed``, ``tests.coverage``, ``timing.<slug>`` from test runs).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mission_control.audit.analysis import DEFAULT_DUPLICATE_EXCLUDES, DEFAULT_ROLES, AuditResult, matches_any
from mission_control.config import ConfigError, ConfigProblem

_OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq}
_GROUP_RE = re.compile(r"success metrics|success criteria|checkpoint|\bday\s+\d+\s+final\b", re.I)
_HOUR_RE = re.compile(r"\bhour\s+(\d+(?:\.\d+)?)\s+checkpoint", re.I)
_DAY_RE = re.compile(r"\bday\s+(\d+)\s+final\b", re.I)
_BULLET_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_BOLD_LABEL_RE = re.compile(r"^\s*\*\*(.+?):?\*\*\s*:?\s*$")
_STOPWORDS = {"class", "classes", "implementation", "source", "path", "pattern", "the", "a", "an"}


@dataclass(frozen=True)
class PlanMetric:
    """One success-metric line of the plan.

    ``group``: the label it sits under ("Success Metrics", "Must Have (Day 1)", "Hour 8
    Checkpoint"); ``section``: the nearest heading above; ``hour``: the checkpoint's hour
    from the mission start, when it belongs to one.
    """

    text: str
    line: int
    section: str
    group: str
    hour: float | None = None


@dataclass(frozen=True)
class Checkpoint:
    """A "Hour N Checkpoint" (or "Day N Final") heading with its items."""

    name: str
    hour: float | None
    line: int
    items: tuple[PlanMetric, ...]


@dataclass(frozen=True)
class MetricSpec:
    """What a phrase measures: ``metric`` compared with ``op`` to a target.

    The target is ``target``, or ``baseline * relative`` when ``relative`` is set
    ("75% reduction" -> relative 0.25).
    """

    metric: str
    op: str = "<="
    target: float | None = None
    relative: float | None = None
    unit: str = ""


@dataclass(frozen=True)
class MetricStatus:
    """A plan metric evaluated: a gauge (``spec`` set) or manual (``spec`` None)."""

    item: PlanMetric
    spec: MetricSpec | None
    baseline: float | None = None
    now: float | None = None
    target: float | None = None
    met: bool | None = None
    source: str = "plan"  # "plan" (recognised phrase) or "config" (mapped in [metrics])
    note: str = ""  # why there is no data, when that is not obvious

    @property
    def kind(self) -> str:
        """``"gauge"`` when measurable, ``"manual"`` when a person must sign it off."""
        return "manual" if self.spec is None else "gauge"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict for the CLI and the dashboard."""
        return {
            "text": self.item.text,
            "line": self.item.line,
            "section": self.item.section,
            "group": self.item.group,
            "hour": self.item.hour,
            "kind": self.kind,
            "metric": self.spec.metric if self.spec else None,
            "op": self.spec.op if self.spec else None,
            "baseline": self.baseline,
            "now": self.now,
            "target": self.target,
            "met": self.met,
            "source": self.source,
            "note": self.note,
        }


# -- parsing the plan ---------------------------------------------------------------------


def parse_plan_metrics(text: str) -> tuple[list[PlanMetric], list[Checkpoint]]:
    """Find every success-metric line and checkpoint of a plan's Markdown text."""
    items: list[PlanMetric] = []
    checkpoints: list[tuple[str, float | None, int, list[PlanMetric]]] = []
    section, group, parent, in_code = "", "", "", False
    collecting = False
    hour: float | None = None
    current: tuple[str, float | None, int, list[PlanMetric]] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", stripped)
        label = _BOLD_LABEL_RE.match(stripped)
        if heading or label or stripped == "---":
            title = _clean(heading.group(2)) if heading else (_clean(label.group(1)) if label else "")
            if heading:
                section = title
                if len(heading.group(1)) <= 2:
                    parent = title
            inherited = bool(heading and len(heading.group(1)) > 2 and _GROUP_RE.search(parent))
            group, collecting = title, bool(title and _GROUP_RE.search(title)) or inherited
            hour, current = _checkpoint_hour(title), None
            if collecting and hour is not None:
                current = (title, hour, number, [])
                checkpoints.append(current)
            continue
        bullet = _BULLET_RE.match(raw)
        if collecting and bullet and not re.match(r"^\[[ xX]\]", bullet.group(1)):
            item = PlanMetric(_clean(bullet.group(1)), number, section, group, hour)
            items.append(item)
            if current is not None:
                current[3].append(item)
    return items, [Checkpoint(n, h, line, tuple(i)) for n, h, line, i in checkpoints]


def _checkpoint_hour(title: str) -> float | None:
    match = _HOUR_RE.search(title)
    if match:
        return float(match.group(1))
    match = _DAY_RE.search(title)
    return float(match.group(1)) * 24 if match else None


def _clean(text: str) -> str:
    """Drop emoji/mojibake prefixes, Markdown emphasis and trailing colons."""
    text = text.replace("**", "").replace("`", "").strip()
    text = re.sub(r"^[^A-Za-z0-9<>%]+", "", text)  # emoji, and emoji mis-decoded (mojibake)
    return text.rstrip(":").strip()


# -- recognising phrases --------------------------------------------------------------------


def recognise(text: str) -> MetricSpec | None:
    """The measurement a phrase describes, or None (manual) when it is not recognised."""
    t = re.sub(r"\s+", " ", text.lower()).strip().rstrip(".")
    t = re.sub(r"\s+(maintained|achieved)$", "", t)
    match = re.match(r"^(\d+(?:\.\d+)?)% reduction in (.+)$", t) or re.match(r"^(.+?) reduced by (\d+(?:\.\d+)?)%$", t)
    if match:
        pct, subject = (match.group(1), match.group(2)) if t[0].isdigit() else (match.group(2), match.group(1))
        metric = _subject_metric(subject)
        return MetricSpec(metric, "<=", relative=round(1 - float(pct) / 100, 6)) if metric else None
    match = re.match(r"^(\d+(?:\.\d+)?)% (.+?) (?:reduction|removed)$", t)
    if match:
        metric = _subject_metric(match.group(2))
        return MetricSpec(metric, "<=", relative=round(1 - float(match.group(1)) / 100, 6)) if metric else None
    match = re.match(r"^(\d+(?:\.\d+)?)x reduction in (.+)$", t)
    if match:
        metric = _subject_metric(match.group(2))
        return MetricSpec(metric, "<=", relative=1 / float(match.group(1))) if metric else None
    match = re.match(r"^(\d+(?:\.\d+)?)% (?:of )?ssot violations resolved$", t)
    if match:
        return MetricSpec("duplicates", "<=", relative=round(1 - float(match.group(1)) / 100, 6))
    if re.match(r"^all ssot violations resolved$", t):
        return MetricSpec("duplicates", "<=", target=0)
    if re.match(r"^(zero|no) broken imports$", t):
        return MetricSpec("broken_imports", "<=", target=0)
    if re.match(r"^(zero|no) (syntax|parse) errors$", t):
        return MetricSpec("parse_errors", "<=", target=0)
    match = re.match(r"^(?:single|one|unified) (.+)$", t)
    if match:
        words = [w for w in re.findall(r"[a-z0-9]+", match.group(1)) if w not in _STOPWORDS]
        return MetricSpec("defs~" + " ".join(words), "<=", target=1) if words else None
    match = re.match(r"^<\s*(\d+(?:\.\d+)?)\s*(ms|s) (.+)$", t)
    if match:
        slug = "_".join(re.findall(r"[a-z0-9]+", match.group(3)))
        return MetricSpec(f"timing.{slug}", "<", target=float(match.group(1)), unit=match.group(2))
    if re.match(r"^(all (mission critical )?tests passing|tests passing 100%)$", t):
        return MetricSpec("tests.failed", "<=", target=0)
    match = re.match(r"^(\d+(?:\.\d+)?)% test coverage$", t)
    if match:
        return MetricSpec("tests.coverage", ">=", target=float(match.group(1)), unit="%")
    return None


def _subject_metric(subject: str) -> str | None:
    """Map "manager classes", "agent codebase size", "ssot violations"... to a metric name."""
    subject = subject.strip()
    roles = {role.lower(): role for role in DEFAULT_ROLES}
    match = re.match(r"^(\w+?)s? class(?:es)?$", subject) or re.match(r"^(\w+) class(?:es)?$", subject)
    if match and match.group(1) in roles:
        return f"roles.{roles[match.group(1)]}"
    if subject in ("ssot violations", "duplicates", "duplicate definitions"):
        return "duplicates"
    if subject in ("codebase", "codebase size", "code", "code size", "lines of code"):
        return "lines"
    match = re.match(r"^(\w+) (?:code|codebase)(?: size)?$", subject)
    if match:
        return f"lines~{match.group(1)}"
    return None


# -- config overrides ---------------------------------------------------------------------------


def load_overrides(table: Mapping[str, Any], source: Path | None = None) -> dict[str, MetricSpec | None]:
    """Validate the config's ``[metrics]`` table: normalised phrase -> spec (None = manual).

    Raises:
        ConfigError: every bad entry, each naming the file and ``metrics."<phrase>"``.
    """
    problems, specs = [], {}
    where = source or Path("mission-control.toml")
    for phrase, value in table.items():
        key = f'metrics."{phrase}"'
        spec, message = _override(phrase, value)
        if message:
            problems.append(ConfigProblem(where, key, message))
        else:
            specs[_normal(phrase)] = spec
    if problems:
        raise ConfigError(problems)
    return specs


def _override(phrase: str, value: Any) -> tuple[MetricSpec | None, str | None]:
    if value == "manual":
        return None, None
    if isinstance(value, str):
        known = recognise(phrase)
        if known is None or (known.target is None and known.relative is None):
            return None, "a bare metric name needs a phrase with a number; use a table with target"
        return MetricSpec(value, known.op, known.target, known.relative, known.unit), None
    if not isinstance(value, dict):
        return None, 'must be "manual", a metric name or a table {metric, target | reduction, op}'
    unknown = set(value) - {"metric", "target", "reduction", "op", "unit"}
    metric, op = value.get("metric"), value.get("op", "<=")
    target, reduction = value.get("target"), value.get("reduction")
    if unknown:
        return None, f"unknown key(s): {', '.join(sorted(unknown))}"
    if not isinstance(metric, str) or not metric:
        return None, "needs metric = <name>"
    if op not in _OPS:
        return None, f"op must be one of {', '.join(_OPS)}"
    numbers = [n for n in (target, reduction) if n is not None]
    if len(numbers) != 1 or not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers):
        return None, "needs exactly one number: target or reduction (percent)"
    relative = 1 - reduction / 100 if reduction is not None else None
    return MetricSpec(metric, op, None if target is None else float(target), relative, value.get("unit", "")), None


def _normal(phrase: str) -> str:
    return re.sub(r"\s+", " ", _clean(phrase).lower()).strip()


# -- evaluating ---------------------------------------------------------------------------------


def measure(name: str, result: AuditResult | None, extra: Mapping[str, float] | None = None) -> float | None:
    """The value of metric ``name`` on an audit result (and extra test/timing values)."""
    if extra and name in extra:
        return float(extra[name])
    if result is None:
        return None
    flat = result.metrics()
    if name in flat:
        return float(flat[name])
    if name.startswith("defs~"):
        return float(_count_defs(result, name[5:].split()))
    if name.startswith("lines~"):
        word = name[6:]
        if f"components.{word}.lines" in flat:
            return float(flat[f"components.{word}.lines"])
        return float(sum(m.lines for m in result.modules if _word_in(word, m.path)))
    return None


def _count_defs(result: AuditResult, words: list[str]) -> int:
    count = 0
    for module in result.modules:
        if matches_any(module.path, DEFAULT_DUPLICATE_EXCLUDES):
            continue
        for name in module.classes + module.functions:
            if all(_word_in(word, name) for word in words):
                count += 1
    return count


def _word_in(word: str, identifier: str) -> bool:
    """Loose word match: short words must be whole tokens, long ones match by 5-letter stem."""
    if len(word) <= 3:
        return word in re.findall(r"[a-z0-9]+", _split_camel(identifier).lower())
    squashed = re.sub(r"[^a-z0-9]", "", identifier.lower())
    return word[:5] in squashed


def _split_camel(identifier: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", identifier)


def evaluate(
    items: list[PlanMetric],
    now: AuditResult | None,
    baseline: AuditResult | None = None,
    *,
    overrides: Mapping[str, MetricSpec | None] | None = None,
    extra_now: Mapping[str, float] | None = None,
    extra_baseline: Mapping[str, float] | None = None,
) -> list[MetricStatus]:
    """Evaluate every plan metric: gauges get baseline/now/target/met, the rest are manual."""
    overrides = overrides or {}
    statuses = []
    for item in items:
        key = _normal(item.text)
        source = "config" if key in overrides else "plan"
        spec = overrides[key] if key in overrides else recognise(item.text)
        if spec is None:
            statuses.append(MetricStatus(item, None, source=source))
            continue
        base = measure(spec.metric, baseline, extra_baseline)
        value = measure(spec.metric, now, extra_now)
        note = ""
        if spec.metric.startswith(("defs~", "lines~")) and not value and not base:
            # the words match nothing, now or at the baseline: nothing was measured, so "0 <= 1" proves nothing
            value = base = None
            note = f"nothing in the code matches {spec.metric.partition('~')[2]!r}"
        elif value is None and spec.metric.startswith("tests."):
            note = "no recorded test run"
        target = spec.target
        if spec.relative is not None:
            target = None if base is None else round(base * spec.relative, 6)
        met = None if value is None or target is None else bool(_OPS[spec.op](value, target))
        statuses.append(MetricStatus(item, spec, base, value, target, met, source, note))
    return statuses


def plan_text(path: str | Path) -> str:
    """The plan's text: the one place this module touches the plan engine."""
    try:
        from mission_control.plan import load_plan
    except ImportError:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    return load_plan(path).plan.text
