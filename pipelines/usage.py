"""Mistakes in calling `workforce`, in Norwegian: usage, what was wrong, where help is.

click (vendored by typer as `typer._click`) reports usage errors in English and, with the
standalone mode the entry point turns off, as exceptions: uncaught, each was a 40-line
traceback. `show_usage_error` prints two or three lines instead; the exit code is 2.
"""

from __future__ import annotations

import typer
from rich.console import Console


def _parameter_name(error: typer.TyperException) -> str:
    """How the user typed the parameter: `--year`, or the argument's name (`PATHS`)."""
    param = getattr(error, "param", None)
    hint = getattr(error, "param_hint", None)
    if param is not None:
        opts = getattr(param, "opts", None) or []
        if getattr(param, "param_type_name", "") == "option" and opts:
            return " / ".join(opts)
        return (param.metavar or param.name or "").upper()  # the name the help shows
    if isinstance(hint, str) and hint:
        return hint
    return "en verdi"


def usage_message(error: typer.TyperException) -> str:
    """A click usage error in Norwegian, on one line (the English originals name no fix)."""
    from typer._click import exceptions as clicks

    if isinstance(error, clicks.NoSuchOption):
        guess = f" (mente du {', '.join(sorted(error.possibilities))}?)" if error.possibilities else ""
        return f"ukjent valg {error.option_name}{guess}"
    if isinstance(error, clicks.MissingParameter):
        return f"mangler {_parameter_name(error)}"
    if isinstance(error, clicks.BadParameter):
        if "valid integer" in error.message:
            return f"{_parameter_name(error)} må være et heltall"
        if "valid number" in error.message:
            return f"{_parameter_name(error)} må være et tall"
        return f"ugyldig verdi for {_parameter_name(error)}: {error.message}"
    if isinstance(error, clicks.BadOptionUsage):
        if "requires an argument" in error.message:
            return f"valget {error.option_name} trenger en verdi"
        return f"valget {error.option_name} brukes feil: {error.message}"
    if error.message.startswith("No such command"):
        name = error.message.removeprefix("No such command").strip(" '.")
        return f"ukjent kommando «{name}»"
    if error.message.startswith("Got unexpected extra argument"):
        return "for mange argumenter: " + error.message.rsplit("(", 1)[-1].rstrip(")")
    return error.message


def show_usage_error(error: typer.TyperException, err_console: Console) -> int:
    """Print usage in Norwegian (the command line, what was wrong, where help is); exit code 2."""
    from typer._click import exceptions as clicks

    ctx = getattr(error, "ctx", None)
    if isinstance(error, clicks.NoArgsIsHelpError):
        help_text = ctx.get_help() if ctx is not None else ""  # typer's rich help prints itself
        if help_text:
            err_console.print(help_text, highlight=False, markup=False)
        return 2
    path = ctx.command_path if ctx is not None else "workforce"
    if ctx is not None:
        usage = ctx.get_usage().replace("Usage:", "Bruk:", 1)
        err_console.print(usage, highlight=False, markup=False, soft_wrap=True)
    err_console.print(f"Feil: {usage_message(error)}", highlight=False, markup=False, soft_wrap=True)
    err_console.print(f"Se `{path} --help`.", highlight=False, markup=False)
    return 2
