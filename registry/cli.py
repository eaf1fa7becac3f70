"""The ``registry`` command line: global options, dispatch to a command module, and exit codes.

Each subcommand lives in ``registry/commands/<name>.py`` and exposes ``HELP: str``,
``add_arguments(parser) -> None`` and ``run(args, ctx) -> int``. To add a command, write its module
and add ONE line to ``_COMMAND_MODULES`` below (``"name": "module"``); nothing else here changes.
A run imports only the module of the command it runs (the others cost ~28 ms together); only
``--help`` and a usage error without a command import them all, to list them.

Exit codes: 0 ok, 1 invalid or failed, 2 usage error or unreadable path, 3 internal error (one
line on stderr; the traceback only with ``--debug``). Data goes to stdout, diagnostics to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from importlib import import_module
from types import MappingProxyType, ModuleType

from .version import VERSION
from .commands import _context
from .errors import ConfigError, RegistryError
from .layout import MIN_WIDTH
from .paths import APP_NAME, check_app_name
from .secrets import redact

TYPE_CHECKING = False  # see values.py: only type checkers need typing
if TYPE_CHECKING:
    from typing import NoReturn, TextIO

__all__ = ["build_parser", "command_module", "commands", "main", "run"]

# command name -> module in registry/commands/, in the order ``registry --help`` lists them.
# Registering a command is one line here.
_COMMAND_MODULES: dict[str, str] = {
    "validate": "validate",
    "list": "listing",
    "show": "show",
    "resolve": "resolve",
    "paths": "paths",
    "init": "init",
    "schema": "schema",
    "check": "check",
    "export": "export",
    "models": "models",
    "doctor": "doctor",
}



def command_module(name: str) -> ModuleType:
    """The module of command ``name`` (KeyError for an unknown name), imported on first use."""
    return import_module(f"{__package__}.commands.{_COMMAND_MODULES[name]}")


def commands() -> dict[str, ModuleType]:
    """Every command name and its module, in ``registry --help`` order (this imports them all)."""
    return {name: command_module(name) for name in _COMMAND_MODULES}


# Environment variables whose values are never echoed, even inside an unexpected error message.
_SECRET_NAME_PARTS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "AUTH")


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,  # a str: '' stays '', not '.'
                        help="read this user file instead of the one in the config directory")
    parser.add_argument("--defaults", metavar="PATH", default=argparse.SUPPRESS,
                        help="read this file as the host application's defaults (the 'app' layer, "
                             "under the site and user files)")
    parser.add_argument("--app", metavar="NAME", default=argparse.SUPPRESS, type=_app_name,
                        help="application name that selects the config directory (default: provider-registry)")
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print machine-readable JSON")
    parser.add_argument("--no-color", action="store_true", default=argparse.SUPPRESS,
                        help="never colour the output (also: NO_COLOR=1)")
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks of internal errors")


def build_parser(names: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The parser for the global options and the commands ``names`` (default: every command)."""
    parser = argparse.ArgumentParser(
        prog="registry",
        description="Tells an LLM agent where a model id goes: check, inspect and explain providers.yaml.",
    )
    parser.add_argument("--version", action="version", version=f"registry {VERSION}")
    # The global options are accepted before and after the command name: both parsers define them,
    # with SUPPRESS defaults so that a value given before the command is not reset after it.
    _add_global_options(parser)
    common = argparse.ArgumentParser(add_help=False)
    _add_global_options(common)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _COMMAND_MODULES if names is None else names:
        module = command_module(name)
        sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP, parents=[common])
        module.add_arguments(sub)
    return parser


class _Unparsed(Exception):
    """The scout parser met something only the full parser can report."""


class _ScoutParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _Unparsed(message)


def _command_name(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs, found without importing any command module; None when only the
    full parser can answer: help is asked for, or no known command is named after valid options.

    The scout reads the global options exactly as ``build_parser`` does, so it stops at the same
    command name, and it runs ``--version`` as that does; what follows the name is left unread.
    """
    if any(arg == "-h" or arg.startswith("--h") for arg in argv):  # --help, or an abbreviation of it
        return None
    scout = _ScoutParser(prog="registry", add_help=False)
    scout.add_argument("--version", action="version", version=f"registry {VERSION}")
    _add_global_options(scout)
    subparsers = scout.add_subparsers(dest="command")
    for name in _COMMAND_MODULES:
        subparsers.add_parser(name, add_help=False)
    try:
        command: str | None = scout.parse_known_args(argv)[0].command
    except _Unparsed:
        return None
    return command


def _context_for(args: argparse.Namespace, environ: Mapping[str, str]) -> _context.Context:
    for stream in (sys.stdout, sys.stderr):  # a name with 'é' on an ASCII terminal is written, not fatal
        reconfigure = getattr(stream, "reconfigure", None)  # a TextIOWrapper; a test's StringIO has none
        with contextlib.suppress(ValueError, io.UnsupportedOperation):
            if reconfigure is not None:
                reconfigure(errors="backslashreplace")
    stdout = sys.stdout
    no_color = getattr(args, "no_color", False) or bool(environ.get("NO_COLOR"))
    is_tty = hasattr(stdout, "isatty") and stdout.isatty()
    return _context.Context(
        stdout=stdout,
        stderr=sys.stderr,
        json=getattr(args, "json", False),
        color=is_tty and not no_color and environ.get("TERM") != "dumb",
        app_name=getattr(args, "app", None) or APP_NAME,
        config_path=getattr(args, "config", None),
        defaults_path=getattr(args, "defaults", None),
        environ=MappingProxyType(dict(environ)),
        debug=getattr(args, "debug", False),
        width=_terminal_width(stdout, environ) if is_tty else None,
    )


def _terminal_width(stdout: TextIO, environ: Mapping[str, str]) -> int:
    """Columns of the terminal ``stdout`` writes to: ``COLUMNS`` when it is a positive number (the
    usual override, as ``shutil.get_terminal_size``), else the terminal's own size, else 80; never
    below ``MIN_WIDTH``, where a table cut to fit would say nothing (the terminal wraps it instead)."""
    columns = environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(MIN_WIDTH, int(columns))
    try:
        return max(MIN_WIDTH, os.get_terminal_size(stdout.fileno()).columns or 80)
    except (AttributeError, OSError, ValueError):
        return 80


def main(argv: Sequence[str] | None = None, *, environ: Mapping[str, str] | None = None) -> int:
    """Run one ``registry`` command and return its exit status. ``environ`` defaults to ``os.environ``."""
    env = dict(os.environ) if environ is None else dict(environ)
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        name = _command_name(argv)
        args = build_parser(None if name is None else (name,)).parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version exit 0, usage errors exit 2
        return exc.code if isinstance(exc.code, int) else _context.EXIT_USAGE
    ctx = _context_for(args, env)
    try:
        if not ctx.config_setting_is_usable():
            return _context.EXIT_USAGE
        return command_module(args.command).run(args, ctx)
    except ConfigError as exc:
        for issue in exc.issues:
            ctx.err(ctx.render_issue(issue))
        return _context.EXIT_INVALID
    except RegistryError as exc:  # every command's errors print the same way: message, then hint
        ctx.report_error(exc)
        return _context.EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _context.EXIT_OK
    except Exception as exc:  # a bug: one line, no traceback unless --debug
        # Locals are not printed, but messages of third-party code may quote a key: redact the
        # values of every variable whose name says it holds one.
        secrets = [v for k, v in env.items() if any(part in k.upper() for part in _SECRET_NAME_PARTS)]
        if ctx.debug:
            import traceback  # deferred: ~15 ms, and only a bug with --debug prints one

            ctx.stderr.write(redact(traceback.format_exc(), secrets))
        hint = "" if ctx.debug else " (run with --debug for the traceback)"
        message = redact(str(exc), secrets).replace("\n", " ")
        ctx.err(f"registry: internal error: {type(exc).__name__}: {message}{hint}")
        return _context.EXIT_INTERNAL


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())


def _app_name(text: str) -> str:
    try:
        return check_app_name(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
