"""Prompt templates: Jinja2 files in the prompts directory, filled by name."""

import re
from pathlib import Path

import jinja2

# Text that could close or open a passage fence is defused, so quoted material cannot step
# outside its <passage> tags.
_FENCE_TAG = re.compile(r"<\s*(/?)\s*passage", re.IGNORECASE)


def _quoted(text: str) -> str:
    return _FENCE_TAG.sub(lambda tag: f"\u2039{tag[1]}passage", text)


def _attribute(value: object) -> str:
    """A value fit for a double-quoted attribute of a fence tag."""
    return " ".join(str(value).split()).replace('"', "'")


class PromptLibrary:
    def __init__(self, directory: Path):
        if not directory.is_dir():
            raise FileNotFoundError(f"prompt directory {directory} does not exist")
        self._environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(directory),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self._environment.filters["quoted"] = _quoted
        self._environment.filters["attribute"] = _attribute

    def render(self, name: str, **values: object) -> str:
        """Fill template `name`; a value the template uses but was not given is an error."""
        return self._environment.get_template(name).render(**values).strip()
