"""Parser registry: parser name -> parser object, imported on first use so a new parser plugs in
by adding one module and one line here."""

import importlib
from functools import cache

from logadapt_assets.parsing.base import Parser

PARSER_MODULES: dict[str, str] = {
    "generic": "logadapt_assets.parsing.generic",
    "kafka": "logadapt_assets.parsing.kafka",
    "postgres": "logadapt_assets.parsing.postgres",
    "structured": "logadapt_assets.parsing.structured",
}
DEFAULT_PARSER = "generic"


@cache
def get_parser(name: str) -> Parser:
    """The parser called `name`; unknown or not-yet-built parsers fall back to generic."""
    module = PARSER_MODULES.get(name, PARSER_MODULES[DEFAULT_PARSER])
    try:
        return importlib.import_module(module).PARSER
    except ModuleNotFoundError:
        return importlib.import_module(PARSER_MODULES[DEFAULT_PARSER]).PARSER
