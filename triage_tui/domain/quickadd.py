"""Quick add: one line of text → title, due, estimate, repeat, tags, assignee and lane.

    parse_quick_add("Renew the shop domain in 3 days ~15m #admin @bob every month", now)

The line is split into words at whitespace. Words are read left to right against patterns
this module knows (never dateutil's fuzzy mode): a run of words that matches becomes a token;
every other word stays in the title, in order, exactly as typed. A run that looks like a date,
time, estimate or repeat but cannot be read ("feb 30", "25:00", "~abc") stays in the title and
gives a problem. Syntax must be a whole word: `tomorrow.` or `@bob,` stay in the title.

Decisions (tested in tests/test_quickadd.py):
- A time alone is today at that time, or tomorrow when that time has passed.
- Weekday names mean the next such day, today included; see `triage_tui.domain.dates`.
- A month and day without a year is the next such day, today included ("jan 5" typed in
  November is next January; "feb 29" is the next leap day).
- Numeric dates like 12/05 are ambiguous (day or month first): never read, and pointed out.
- `sun`, `sat`, `wed` alone, and `daily`/`weekly`/`monthly`/`yearly`/`annually`/
  `fortnightly`, count only when no title word follows them ("Buy sun cream", "Write weekly
  report" keep their words; "Pay rent monthly" repeats).
- `#tag` needs a letter (`#123` is an issue number and stays); `@name` must start a word, so
  e-mail addresses stay; `C#` stays.
- When every word was consumed, the title is the whole text; a blank text gives an empty title
  and a problem. Control characters are removed from the title and it is cut to
  MAX_TITLE_CHARS (with a problem), as `clean_text` does for every title.

Pure code: no Textual, no TinyDB.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from triage_tui.domain import dates
from triage_tui.domain.model import MAX_TITLE_CHARS, clean_text
from triage_tui.domain.recurrence import first_occurrence, make_rrule

TOKEN_KINDS = ("title", "due", "estimate", "recurrence", "tag", "assignee", "lane")

MAX_INPUT_CHARS = 8 * MAX_TITLE_CHARS
"""Only this much of a longer line is read (with a problem); the title is cut far sooner."""

MAX_ESTIMATE_MINUTES = 1000 * 60

LANE_WORDS = {
    "task": "task", "va": "task",
    "ops": "ops", "om": "ops",
    "keep": "keep", "mine": "keep", "me": "keep",
}  # fmt: skip
"""`!word` to lane."""


@dataclass(frozen=True, slots=True)
class Token:
    """One understood (or title) run of the input: `text == source[start:end]`."""

    kind: str
    text: str
    start: int
    end: int


@dataclass(slots=True)
class QuickAdd:
    """What one line of quick-add text says. `due` is an ISO date or aware ISO datetime."""

    title: str
    due: str | None = None
    estimate_minutes: int | None = None
    recurrence: str | None = None
    tags: list[str] = field(default_factory=list)
    assignee: str | None = None
    lane: str | None = None
    problems: list[str] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)


def parse_quick_add(text: str, now: datetime) -> QuickAdd:
    """Read one line of quick-add text. `now` is the user's aware local time. Never raises."""
    problems: list[str] = []
    if len(text) > MAX_INPUT_CHARS:
        problems.append(f"the text is over {MAX_INPUT_CHARS} characters: only the start was read")
        text = text[:MAX_INPUT_CHARS]
    words = [_Word(m.group(), m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]
    scan = _Scanner(words, now)
    pieces = scan.run()
    _demote_soft(pieces)
    problems += [p.problem for p in pieces if p.problem]
    problems += _resolve_duplicates(pieces, words, text)
    return _build(text, words, pieces, now, problems)


def parse_duration(text: str) -> int | None:
    """Minutes in a duration like `15m`, `1.5h`, `2h30m`, `2h30`, `45min` (a leading `~` is
    allowed), or None when it is not one. Bare numbers (`30`) are not: the unit is needed."""
    found = _ESTIMATE.fullmatch(text.strip())
    if not found or not (found["h"] or found["m"]):
        return None
    if found["m"] and not found["h"] and not found["unit"]:
        return None
    hours = float(found["h"].replace(",", ".")) if found["h"] else 0.0
    minutes = round(hours * 60) + int(found["m"] or 0)
    return minutes if minutes <= MAX_ESTIMATE_MINUTES else None


# ---------------------------------------------------------------- words and pieces

_WORD = re.compile(r"\S+")


@dataclass(slots=True)
class _Word:
    text: str
    low: str
    start: int
    end: int


@dataclass(slots=True)
class _Moment:
    """A due, or a part of one: a day, a clock time, or an exact aware datetime."""

    day: date | None = None
    clock: time | None = None
    exact: datetime | None = None


@dataclass(slots=True)
class _Piece:
    """Words [first, last) read as `kind`; kind "title" for words that stay in the title."""

    kind: str
    first: int
    last: int
    value: object = None
    soft: bool = False
    problem: str | None = None


@dataclass(slots=True)
class _Part:
    """A date or time part found at some word: how many words, and what (or why not)."""

    size: int
    moment: _Moment | None = None
    problem: str | None = None


def _quote(text: str) -> str:
    return f'"{text if len(text) <= 40 else text[:39] + "…"}"'


# ---------------------------------------------------------------- patterns

_ESTIMATE = re.compile(
    r"~?(?:(?P<h>[0-9]{1,4}(?:[.,][0-9]{1,2})?)(?:h|hr|hrs|hour|hours))?"
    r"(?:(?P<m>[0-9]{1,5})(?P<unit>m|min|mins|minute|minutes)?)?",
    re.IGNORECASE,
)
_ASSIGNEE = re.compile(r"@(\w(?:[\w.-]*\w)?)")
_TAG = re.compile(r"#([\w/-]+)")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}t[0-9]{2}:[0-9]{2}(?::[0-9]{2})?(?:z|[+-][0-9]{2}:?[0-9]{2})?"
)
_LOOSE_ISO = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:t\S*)?")
_SLASH_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})(?:/([0-9]{2}|[0-9]{4}))?")
_DAY_NUMBER = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?(,?)")
_YEAR = re.compile(r"[0-9]{4}")
_CLOCK_12 = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?(am|pm)")
_CLOCK_24 = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_HOUR = re.compile(r"[0-9]{1,2}")
_COUNT = re.compile(r"[0-9]{1,6}")

_SMALL_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_AMBIGUOUS_DAYS = {"sun", "sat", "wed"}
_ADVERBS = {
    "daily": ("DAILY", 1), "weekly": ("WEEKLY", 1), "fortnightly": ("WEEKLY", 2),
    "monthly": ("MONTHLY", 1), "yearly": ("YEARLY", 1), "annually": ("YEARLY", 1),
}  # fmt: skip
_REPEAT_UNITS = {
    "day": "DAILY", "days": "DAILY", "week": "WEEKLY", "weeks": "WEEKLY",
    "month": "MONTHLY", "months": "MONTHLY", "year": "YEARLY", "years": "YEARLY",
}  # fmt: skip
_DATE_LEADS = {"on", "by"}


# ---------------------------------------------------------------- the scanner


class _Scanner:
    """Reads words left to right; at each word the first matcher that fits wins."""

    def __init__(self, words: list[_Word], now: datetime) -> None:
        self.words = words
        self.low = [word.low for word in words]
        self.now = now
        self.today = now.date()
        self.matchers: tuple[Callable[[int], _Piece | None], ...] = (
            self._marked,
            self._repeat,
            self._due,
            self._slash_date,
        )

    def run(self) -> list[_Piece]:
        pieces: list[_Piece] = []
        index = 0
        while index < len(self.words):
            piece = next(filter(None, (match(index) for match in self.matchers)), None)
            if piece is None:
                piece = _Piece("title", index, index + 1)
            pieces.append(piece)
            index = piece.last
        return pieces

    def at(self, index: int) -> str:
        """The lower-case word at `index`, or "" past the end."""
        return self.low[index] if index < len(self.low) else ""

    def source(self, first: int, last: int) -> str:
        return " ".join(word.text for word in self.words[first:last])

    def bad(self, first: int, last: int, what: str, shown: int | None = None) -> _Piece:
        """Words [first, last) stay in the title; the problem quotes them from `shown`."""
        message = f"could not read the {what} {_quote(self.source(shown or first, last))}"
        return _Piece("title", first, last, problem=message)

    # -------------------------------------------------------- ~estimate @who #tag !lane

    def _marked(self, i: int) -> _Piece | None:
        word = self.words[i].text
        if len(word) < 2:
            return None
        reader = {"~": self._estimate, "@": self._assignee, "#": self._tag, "!": self._lane}
        return reader[word[0]](i, word) if word[0] in reader else None

    def _estimate(self, i: int, word: str) -> _Piece | None:
        if not word[1].isalnum():
            return None  # "~/Downloads" is a path, not an estimate
        minutes = parse_duration(word)
        if minutes is None or minutes == 0:
            return self.bad(i, i + 1, "estimate")
        return _Piece("estimate", i, i + 1, minutes)

    def _assignee(self, i: int, word: str) -> _Piece | None:
        found = _ASSIGNEE.fullmatch(word)
        return _Piece("assignee", i, i + 1, found[1]) if found else None

    def _tag(self, i: int, word: str) -> _Piece | None:
        found = _TAG.fullmatch(word)
        if not found or not any(char.isalpha() for char in found[1]):
            return None  # "#123" is an issue number
        return _Piece("tag", i, i + 1, found[1].lower())

    def _lane(self, i: int, word: str) -> _Piece | None:
        lane = LANE_WORDS.get(word[1:].lower())
        return _Piece("lane", i, i + 1, lane) if lane else None

    # -------------------------------------------------------- repeats

    def _repeat(self, i: int) -> _Piece | None:
        word = self.low[i]
        if word in _ADVERBS:
            freq, interval = _ADVERBS[word]
            return _Piece("recurrence", i, i + 1, make_rrule(freq, interval), soft=True)
        if word != "every":
            return None
        j, interval = i + 1, 1
        if self.at(j) == "other":
            j, interval = j + 1, 2
        elif _COUNT.fullmatch(self.at(j)):
            j, interval = j + 1, int(self.at(j))
        return self._repeat_unit(i, j, interval)

    def _repeat_unit(self, i: int, j: int, interval: int) -> _Piece | None:
        unit = self.at(j)
        if unit in _REPEAT_UNITS:
            freq, days, size = _REPEAT_UNITS[unit], (), 1
        elif unit in ("weekday", "weekdays", "weekend", "weekends") and interval == 1:
            freq, size = "WEEKLY", 1
            days = (0, 1, 2, 3, 4) if unit.startswith("weekday") else (5, 6)
        else:
            days, size = self._weekday_list(j)
            freq = "WEEKLY"
            if not days:
                # "every invoice" is English; "every thrusday" is a misspelt repeat, pointed
                # out rather than left in the title silently.
                if _looks_like_repeat_unit(unit):
                    return self.bad(i, j + 1, "repeat")
                return None
        if not 1 <= interval <= 1000:
            return self.bad(i, j + size, "repeat")
        return _Piece("recurrence", i, j + size, make_rrule(freq, interval, days))

    def _weekday_list(self, j: int) -> tuple[tuple[int, ...], int]:
        """Weekdays at word j: "mon", "mon,wed", "mon, wed", "mon and wed", "mondays"."""
        days: list[int] = []
        k = j
        while k < len(self.low):
            names = [name for name in self.low[k].split(",") if name]
            numbers = [_weekday_number(name) for name in names]
            if not names or None in numbers:
                break
            days += [number for number in numbers if number is not None]
            k += 1
            joined = self.low[k - 1].endswith(",")
            if self.at(k) == "and" and _weekday_number(self.at(k + 1)) is not None:
                k += 1
            elif not joined:
                break
        if not days:
            return (), 0
        if self.low[k - 1].endswith(","):
            return (), 0  # a dangling comma: not a list we can defend
        return tuple(days), k - j

    # -------------------------------------------------------- due dates and times

    def _due(self, i: int) -> _Piece | None:
        j = i + 1 if self.low[i] == "due" else i
        lead = self.at(j) if self.at(j) in _DATE_LEADS or self.at(j) == "at" else ""
        j += 1 if lead else 0
        if lead == "at":
            first = self._time_part(j)
            second_at = j + first.size if first.moment else j
            second = self._date_after(second_at) if first.moment else None
        else:
            first = self._date_part(j)
            if first.size == 0 and lead != "on":  # "by 3pm" is a time, "on 3pm" is nothing
                first = self._time_part(j)
                second = self._date_after(j + first.size) if first.moment else None
            else:
                second = self._time_after(j + first.size, first) if first.moment else None
        if first.size == 0:
            return None
        if first.moment is None:
            what = "time" if lead == "at" or first.problem == "time" else "date"
            return self.bad(i, j + first.size, what, shown=j)
        return self._due_piece(i, j, first, second)

    def _due_piece(self, i: int, j: int, first: _Part, second: _Part | None) -> _Piece:
        moment = first.moment or _Moment()
        last = j + first.size
        if second is not None and second.moment is not None:
            extra = second.moment
            moment = _Moment(moment.day or extra.day, moment.clock or extra.clock, moment.exact)
            last += second.size
        alone = last == i + 1 and self.low[i] in _AMBIGUOUS_DAYS
        return _Piece("due", i, last, moment, soft=alone)

    def _date_after(self, j: int) -> _Part | None:
        """A date part after a time: "9am fri", "3pm on dec 5"."""
        skip = 1 if self.at(j) in _DATE_LEADS else 0
        part = self._date_part(j + skip)
        if part.moment is None or part.moment.exact is not None:
            return None
        return _Part(part.size + skip, part.moment)

    def _time_after(self, j: int, date_part: _Part) -> _Part | None:
        """A time part after a date: "fri 9am", "tomorrow at 15:30"."""
        moment = date_part.moment
        if moment is None or moment.exact is not None:
            return None
        skip = 1 if self.at(j) == "at" else 0
        part = self._time_part(j + skip)
        return _Part(part.size + skip, part.moment) if part.moment else None

    def _date_part(self, j: int) -> _Part:
        """A date at word j; size 0 when none, moment None (with size) when unreadable."""
        word = self.at(j)
        if not word:
            return _Part(0)
        for reader in (self._one_word_date, self._two_word_date, self._in_n_units):
            part = reader(j, word)
            if part is not None:
                return part
        return self._iso_date(j, word) or self._month_day(j) or _Part(0)

    def _one_word_date(self, j: int, word: str) -> _Part | None:
        day = dates.relative_day(word, self.today)
        return _Part(1, _Moment(day=day)) if day else None

    def _two_word_date(self, j: int, word: str) -> _Part | None:
        following = self.at(j + 1)
        if word == "next":
            day = dates.next_relative_day(following, self.today)
        elif word == "this" and following in dates.WEEKDAY_NAMES:
            day = dates.relative_day(following, self.today)
        else:
            return None
        return _Part(2, _Moment(day=day)) if day else None

    def _in_n_units(self, j: int, word: str) -> _Part | None:
        count, unit = self.at(j + 1), self.at(j + 2)
        if word != "in" or unit not in dates.SHIFT_UNITS:
            return None
        amount = _SMALL_NUMBERS.get(count) or (int(count) if _COUNT.fullmatch(count) else None)
        if amount is None:
            return None
        exact = dates.SHIFT_UNITS[unit] in ("hours", "minutes")
        try:
            if exact:
                moment = dates.shift(self.now.replace(second=0, microsecond=0), amount, unit)
                return _Part(3, _Moment(exact=_resolve(moment)))
            return _Part(3, _Moment(day=dates.shift(self.today, amount, unit)))
        except (ValueError, OverflowError):
            return _Part(3)

    def _iso_date(self, j: int, word: str) -> _Part | None:
        if not _LOOSE_ISO.fullmatch(word):
            return None
        try:
            if _ISO_DATE.fullmatch(word):
                return _Part(1, _Moment(day=_dateutil_parser().isoparse(word).date()))
            if _ISO_DATETIME.fullmatch(word):
                moment = _dateutil_parser().isoparse(word.upper())
                if moment.tzinfo is None:
                    moment = _attach_zone(moment, self.now)
                return _Part(1, _Moment(exact=moment))
        except (ValueError, OverflowError):
            return _Part(1)  # ISO-looking, but no date dateutil can read: it stays in the title
        return _Part(1)

    def _month_day(self, j: int) -> _Part | None:
        """"dec 5", "5th december", "dec 5 2027", "december 5, 2027"."""
        first, second = self.at(j), self.at(j + 1)
        if first in dates.MONTH_NAMES:
            month, day_word = dates.MONTH_NAMES[first], _DAY_NUMBER.fullmatch(second)
        elif second in dates.MONTH_NAMES:
            month, day_word = dates.MONTH_NAMES[second], _DAY_NUMBER.fullmatch(first)
        else:
            return None
        if not day_word:
            return None
        year_word = self.at(j + 2)
        # "Order dec 5 1000 units": only a plausible year is read as one.
        has_year = bool(_YEAR.fullmatch(year_word)) and abs(int(year_word) - self.today.year) < 100
        if day_word[2] and not has_year:
            return None  # "dec 5," followed by something else: punctuation stays in the title
        size = 3 if has_year else 2
        text = " ".join(self.low[j : j + size]).replace(",", "")
        wanted = (month, int(day_word[1]))
        day = self._read_month_day(text, wanted, int(year_word) if has_year else None)
        return _Part(size, _Moment(day=day)) if day else _Part(size)

    def _read_month_day(self, text: str, wanted: tuple[int, int], year: int | None) -> date | None:
        """dateutil reads the (already recognised) text; without a year, the next such day.

        The result must be the month and day the words say: dateutil reads "dec 32" as
        December 2032, which is junk here.
        """
        years = [year] if year else range(self.today.year, self.today.year + 9)
        candidate = next((y for y in years if _real_day(y, *wanted, self.today, bool(year))), None)
        if candidate is None:
            return None
        try:
            day = _dateutil_parser().parse(text, default=datetime(candidate, 1, 1)).date()
        except (ValueError, OverflowError):
            return None
        return day if (day.year, day.month, day.day) == (candidate, *wanted) else None

    def _time_part(self, j: int) -> _Part:
        """A clock time at word j: "3pm", "3:30pm", "15:30", "3 pm", "noon"."""
        word, following = self.at(j), self.at(j + 1)
        if word == "noon":
            return _Part(1, _Moment(clock=time(12, 0)))
        if _HOUR.fullmatch(word) and following in ("am", "pm"):
            return self._clock(j, 2, f"{word}{following}")
        if _CLOCK_12.fullmatch(word) or _CLOCK_24.fullmatch(word):
            return self._clock(j, 1, word)
        return _Part(0)

    def _clock(self, j: int, size: int, text: str) -> _Part:
        twelve = _CLOCK_12.fullmatch(text)
        found = twelve or _CLOCK_24.fullmatch(text)
        assert found is not None
        hour, minute = int(found[1]), int(found[2] or 0)
        valid = 1 <= hour <= 12 if twelve else hour <= 23
        if not valid or minute > 59:
            return _Part(size, problem="time")
        # dateutil does the reading; the checks above stop it accepting "13pm" or "0am".
        parsed = _dateutil_parser().parse(text, default=datetime.combine(self.today, time()))
        return _Part(size, _Moment(clock=parsed.time()))

    # -------------------------------------------------------- numeric dates

    def _slash_date(self, i: int) -> _Piece | None:
        found = _SLASH_DATE.fullmatch(self.low[i])
        if not found:
            return None
        first, second = int(found[1]), int(found[2])
        if found[3] is None and not (1 <= first <= 12 and 1 <= second <= 12):
            return None  # "24/7", "50/50": not dates
        message = (
            f"ambiguous date {_quote(self.words[i].text)}: "
            "write the month as a word (5 dec) or use YYYY-MM-DD"
        )
        return _Piece("title", i, i + 1, problem=message)


def _real_day(year: int, month: int, day: int, today: date, past_ok: bool) -> bool:
    """Whether year-month-day exists (and, unless `past_ok`, is not before today)."""
    try:
        return date(year, month, day) >= today or past_ok
    except ValueError:
        return False


def _dateutil_parser():
    """dateutil's parser module, imported on the first absolute date: it costs ~10 ms, which
    `triage add` pays on every run otherwise."""
    from dateutil import parser

    return parser


_UNIT_WORDS = (
    "day", "days", "week", "weeks", "month", "months", "year", "years", "weekday", "weekdays",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mondays", "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays", "sundays",
)


def _looks_like_repeat_unit(word: str) -> bool:
    """A near miss of a repeat word ("thrusday", "mnoth"), not the word itself."""
    import difflib  # deferred: only for a repeat that did not parse

    word = word.strip(",.;:")
    known = word in _UNIT_WORDS or _weekday_number(word) is not None
    return not known and bool(
        difflib.get_close_matches(word, _UNIT_WORDS, n=1, cutoff=0.75)
    )


def _weekday_number(name: str) -> int | None:
    if name in dates.WEEKDAY_NAMES:
        return dates.WEEKDAY_NAMES[name]
    if name.endswith("days") and name[:-1] in dates.WEEKDAY_NAMES:
        return dates.WEEKDAY_NAMES[name[:-1]]  # "mondays"
    return None


def _attach_zone(moment: datetime, now: datetime) -> datetime:
    """A naive wall-clock time in the zone of `now`; a time in a spring-forward gap moves
    forward. A fixed offset that is the system's own stands for the system zone (see
    `dates.local_zone`), so "fri 9am" after a daylight-saving change gets that day's offset;
    the zone is only looked up here, when a time of day was given."""
    return dates.dateutil_tz().resolve_imaginary(moment.replace(tzinfo=dates.local_zone(now)))


def _resolve(moment: datetime) -> datetime:
    return dates.dateutil_tz().resolve_imaginary(moment)


# ---------------------------------------------------------------- resolving conflicts


def _demote_soft(pieces: list[_Piece]) -> None:
    """Soft pieces ("weekly", "sun") followed by any title word go back to the title.

    Right to left, so a demoted piece counts as a title word for the soft pieces before it.
    """
    title_after = False
    for piece in reversed(pieces):
        if piece.soft and title_after:
            piece.kind, piece.soft = "title", False
        if piece.kind == "title":
            title_after = True


_SINGLE_KINDS = {
    "assignee": "only one assignee",
    "estimate": "only one estimate",
    "recurrence": "only one repeat",
}


def _resolve_duplicates(pieces: list[_Piece], words: list[_Word], text: str) -> list[str]:
    """The first of each single-valued kind wins; later ones go back to the title."""
    problems: list[str] = []
    seen: dict[str, object] = {}
    for piece in pieces:
        clash = _clash(piece, seen)
        if clash is None:
            continue
        source = text[words[piece.first].start : words[piece.last - 1].end]
        problems.append(f"{clash}: {_quote(source)} stays in the title")
        piece.kind = "title"
    return problems


def _clash(piece: _Piece, seen: dict[str, object]) -> str | None:
    """Why `piece` conflicts with what was already kept, or None (and then record it)."""
    if piece.kind in _SINGLE_KINDS:
        if piece.kind in seen:
            return _SINGLE_KINDS[piece.kind]
        seen[piece.kind] = piece.value
    elif piece.kind == "lane":
        if seen.get("lane", piece.value) != piece.value:
            return "a second, different lane"
        seen["lane"] = piece.value
    elif piece.kind == "due":
        return _due_clash(piece, seen)
    return None


def _due_clash(piece: _Piece, seen: dict[str, object]) -> str | None:
    moment = piece.value
    assert isinstance(moment, _Moment)
    has_day = moment.day is not None or moment.exact is not None
    has_clock = moment.clock is not None or moment.exact is not None
    if has_day and "day" in seen:
        return "only one due date"
    if has_clock and "clock" in seen:
        return "only one due time"
    if has_day:
        seen["day"] = True
    if has_clock:
        seen["clock"] = True
    return None


# ---------------------------------------------------------------- building the result


def _build(
    text: str, words: list[_Word], pieces: list[_Piece], now: datetime, problems: list[str]
) -> QuickAdd:
    kept = [piece for piece in pieces if piece.kind != "title"]
    result = QuickAdd(title="", problems=problems, tokens=_tokens(text, words, pieces))
    for piece in kept:
        _apply(result, piece)
    moments = [piece.value for piece in kept if isinstance(piece.value, _Moment)]
    result.due = _due_text(moments, result.recurrence, now)
    title_words = [
        words[index].text
        for piece in pieces
        if piece.kind == "title"
        for index in range(piece.first, piece.last)
    ]
    result.title = _title(" ".join(title_words), text, problems)
    return result


def _apply(result: QuickAdd, piece: _Piece) -> None:
    if piece.kind == "tag":
        if piece.value not in result.tags:
            result.tags.append(str(piece.value))
    elif piece.kind in ("estimate", "recurrence", "assignee", "lane"):
        attribute = {"estimate": "estimate_minutes"}.get(piece.kind, piece.kind)
        setattr(result, attribute, piece.value)


def _tokens(text: str, words: list[_Word], pieces: list[_Piece]) -> list[Token]:
    """One token per understood piece; neighbouring title words share one title token."""
    tokens: list[Token] = []
    for piece in pieces:
        start, end = words[piece.first].start, words[piece.last - 1].end
        if piece.kind == "title" and tokens and tokens[-1].kind == "title":
            start = tokens.pop().start
        tokens.append(Token(piece.kind, text[start:end], start, end))
    return tokens


def _title(joined: str, text: str, problems: list[str]) -> str:
    title = clean_text(joined, len(joined) + 1)
    if not title:
        title = clean_text(" ".join(text.split()), MAX_INPUT_CHARS)
        if not title:
            problems.append("there is nothing to add: the text is empty")
    if len(title) > MAX_TITLE_CHARS:
        problems.append(f"the title was cut to {MAX_TITLE_CHARS} characters")
        title = title[:MAX_TITLE_CHARS].rstrip()
    return title


def _due_text(moments: list[_Moment], rule: str | None, now: datetime) -> str | None:
    """The due as stored: an ISO date, or an aware ISO datetime to the second."""
    exact = next((m.exact for m in moments if m.exact is not None), None)
    day = next((m.day for m in moments if m.day is not None), None)
    clock = next((m.clock for m in moments if m.clock is not None), None)
    if exact is not None:
        return _iso(exact)
    if day is not None and clock is not None:
        return _iso(_attach_zone(datetime.combine(day, clock), now))
    if day is not None:
        return day.isoformat()
    if clock is not None:
        return _iso(_time_alone(clock, rule, now))
    if rule is not None:
        found = first_occurrence(rule, now.date())
        return found.isoformat() if found else None
    return None


def _time_alone(clock: time, rule: str | None, now: datetime) -> datetime:
    """Today at `clock`, or tomorrow when it has passed; with a repeat, its first time from then."""
    moment = _attach_zone(datetime.combine(now.date(), clock), now)
    if moment < now.replace(second=0, microsecond=0):
        moment = _attach_zone(datetime.combine(now.date() + timedelta(days=1), clock), now)
    if rule is None:
        return moment
    found = first_occurrence(rule, moment)
    return found if isinstance(found, datetime) else moment


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()
