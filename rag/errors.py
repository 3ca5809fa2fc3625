"""The errors the library raises. Each message says what to do next; shells translate them."""


class RagError(Exception):
    """Base class: a problem the user can fix. `str(err)` is a one-line message."""


class BadQuestion(RagError):
    pass


class IndexMissing(RagError):
    pass


class IndexCorrupt(RagError):
    pass


class ModelMismatch(RagError):
    pass


class EmptyCorpus(RagError):
    pass


class UnknownDocument(RagError):
    """No indexed document has the id asked for."""


class BadInput(RagError):
    """An input file that cannot be read."""


class ModelUnavailable(RagError):
    pass


class IndexBusy(RagError):
    """Another process is changing the index and did not finish in time."""


class BadFilter(RagError):
    """A date range, source pattern or undated option that cannot be used."""
