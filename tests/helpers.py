"""Shared test helpers (not fixtures)."""


def print_columns(paragraphs: list[str], width: int = 14) -> str:
    """Lay paragraphs out like a printed page: first lines indented by two characters (the indent
    itself lost in extraction), lines cut at `width` but never starting with punctuation, and a
    blank line after every line."""
    lines = []
    for para in paragraphs:
        rest, room = para, width - 2
        while rest:
            line, rest = rest[:room], rest[room:]
            while rest and rest[0] in "，。、；：！？”":
                line, rest = line + rest[0], rest[1:]
            lines.append(line)
            room = width
    return "\n\n".join(lines)
