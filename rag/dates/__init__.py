"""Dates in Chinese and English text, and the time a sentence, a change or a question speaks of.

Pure functions over strings, standard library only; nothing from the pipeline stages is imported.

    Date(year, month=None, day=None)          .precision ("year"|"month"|"day"), .iso(), .first_day(),
                                              .last_day(), .overlaps(start, end); ordered (2025 < 2025-01 < 2025-01-03)
    as_date(value) -> Date | None             a stored date ('2025', '2025-01', '2025-01-03', or as found)
    parse_date(text, year=None) -> Date|None  the date a string starts with, in any form below
    find_dates(text, year=None) -> [Found]    every date written in a text, in order, with offsets
    first_full_date(text) -> Date | None      the first date with year, month and day
    filename_date(name) -> Date | None        `daily-2025-01-p1.txt` -> 2025-01, `news-20240315.txt` -> 2024-03-15
    relative_date(word, today) -> Date|None   今年 去年 前年 明年 本月 上个月 ... read against `today`
    time_marker(text) -> "current"|"past"|None
    sentence_time(sentence, doc_date=None)    the time a sentence speaks of ("2024年全村…" -> 2024)
    supersession(sentence, doc_date=None)     Change(kind, markers, effective) when it adjusts/replaces/abolishes
    asked_time(question, today) -> Asked      what time a question asks about
    today_date(value=None) -> datetime.date   an ISO date (RAG_TODAY), or the real date when not given

Forms read: 2025年1月3日 (日 or 号), 2025-01-03, 2025/1/3, 2025.01.03, 2025年1月, 2025-01, 2025年,
二〇二五年一月三日, 二〇二五年元月, full-width digits (２０２５年), English (March 3, 2025; 3 March 2025;
March 2025), and 1月3日 / 一月三日 when the year is given from context (`year=`). Years outside
1900-2100 are not dates. Offsets in Found point into the text as given (full-width forms are
mapped one character to one).

parse.py: Date and reading dates; meaning.py: sentences, changes of a standard, questions;
words.py: the vocabularies (relative words, past/current markers, change markers); versions.py:
which older documents a later notice replaced (`replaced(docs)`, the knowledge-base tab's mark).
"""
from rag.dates.meaning import (Asked, Change, asked_time, relative_date, sentence_time, supersession, tells_before,
                               time_marker)
from rag.dates.parse import (Date, Found, as_date, filename_date, find_dates, first_full_date, parse_date,
                             spoken, today_date)

__all__ = ["Asked", "Change", "Date", "Found", "as_date", "asked_time", "filename_date", "find_dates",
           "first_full_date", "parse_date", "relative_date", "sentence_time", "tells_before", "spoken", "supersession",
           "time_marker", "today_date"]
