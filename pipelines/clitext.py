"""The `workforce` help pages in Norwegian, including the words typer and click add themselves.

typer (with its vendored click) writes "Usage:", "Options", "Arguments", "Commands",
"[required]", "[default: …]", type tags such as `<str>` and the help option's "Show this
message and exit." in English, and has no locale for them. Rather than patching the library,
`NorwegianTyper` builds every group and command from the two classes below, which give those
words in Norwegian: panel titles and bracketed notes through the constants typer's help
renderer reads, the usage prefix and the help option through the command classes' own
methods. Usage *errors* are translated separately (`pipelines.usage`).
"""

from __future__ import annotations

from typing import Any

import typer
from typer import rich_utils
from typer._click import Context, HelpFormatter
from typer.core import TyperArgument, TyperCommand, TyperGroup

USAGE_PREFIX = "Bruk: "
HELP_OPTION_TEXT = "Vis denne hjelpen og avslutt."
# The type tags typer prints beside each parameter, by the English tag it would print.
TYPE_TAGS = {
    "<str>": "<tekst>",
    "<int>": "<heltall>",
    "<float>": "<tall>",
    "<path>": "<sti>",
    "<bool>": "",  # a flag: its name says it all
    "<list[str]>": "<tekst …>",
    "<list[Path]>": "<sti …>",
}
# What typer's help renderer reads at render time (typer.rich_utils, module constants).
PANEL_TEXTS = {
    "ARGUMENTS_PANEL_TITLE": "Argumenter",
    "OPTIONS_PANEL_TITLE": "Valg",
    "COMMANDS_PANEL_TITLE": "Kommandoer",
    "ERRORS_PANEL_TITLE": "Feil",
    "ABORTED_TEXT": "Avbrutt.",
    "DEFAULT_STRING": "[standard: {}]",
    "ENVVAR_STRING": "[miljøvariabel: {}]",
    "REQUIRED_LONG_STRING": "[påkrevd]",
    "DEPRECATED_STRING": "(utgått) ",
    "RICH_HELP": "Se [blue]'{command_path} {help_option}'[/] for hjelp.",
}


def _install_panel_texts() -> None:
    for name, text in PANEL_TEXTS.items():
        setattr(rich_utils, name, text)


def _one_paragraph_per_block(text: str | None) -> str | None:
    """A docstring's wrapped lines joined, so the help does not break mid-sentence where the
    source did (typer's rich help keeps single line breaks); blank lines still separate."""
    if not text:
        return text
    blocks = [" ".join(line.strip() for line in block.splitlines()) for block in text.split("\n\n")]
    return "\n\n".join(blocks)


class _Norwegian:
    """What both command classes share: Norwegian usage line, help option and type tags."""

    def _norwegian_help_text(self) -> None:
        self.help = _one_paragraph_per_block(self.help)  # type: ignore[attr-defined]
        self.options_metavar = "[VALG]"
        if hasattr(self, "subcommand_metavar"):
            self.subcommand_metavar = "KOMMANDO [ARGUMENTER]..."

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE_PREFIX)

    def get_help_option(self, ctx: Context) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option

    def get_params(self, ctx: Context) -> list[Any]:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            _norwegian_type_tag(param, ctx)
        return params


def _norwegian_type_tag(param: Any, ctx: Context) -> None:
    """Show the parameter's type tag in Norwegian. Options take it as their metavar (typer
    prints an option's metavar in place of the tag); an argument's metavar would rename it,
    so its tag is given by the instance instead."""
    if getattr(param, "_norwegian_tag", False):
        return
    param._norwegian_tag = True
    english = param.display_type(ctx)
    tag = TYPE_TAGS.get(english, english)
    if isinstance(param, TyperArgument):
        param.display_type_rich = lambda ctx=None, tag=tag: tag
    elif param.metavar is None:
        param.metavar = tag


class NorwegianCommand(_Norwegian, TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._norwegian_help_text()


class NorwegianGroup(_Norwegian, TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._norwegian_help_text()


class NorwegianTyper(typer.Typer):
    """`typer.Typer` whose groups and commands print their help in Norwegian."""

    def __init__(self, **kwargs: Any) -> None:
        _install_panel_texts()
        kwargs.setdefault("cls", NorwegianGroup)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any) -> Any:
        return super().command(name, cls=cls or NorwegianCommand, **kwargs)
