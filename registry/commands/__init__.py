"""The subcommands of ``registry``: one module each, registered in ``registry.cli._COMMAND_MODULES``.

Each module exposes ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args, ctx) -> int``,
where ``ctx`` is a :class:`registry.commands._context.Context`.
"""
