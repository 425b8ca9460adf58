"""Reading kvsnap's JSON reports in the end-to-end tests: a report is an object with its facts
and a list of sections, each with an id and rows (render/document.h)."""


def section(doc, sid):
    """The section with this id (KeyError when there is none)."""
    for s in doc["sections"]:
        if s["id"] == sid:
            return s
    raise KeyError(sid)


def rows(doc, prefix):
    """The rows of every section whose id starts with prefix, in order."""
    return [r for s in doc["sections"] if s["id"].startswith(prefix) for r in s["rows"]]
