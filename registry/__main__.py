"""``python -m registry``: the same as the ``registry`` console script."""

from .cli import run

if __name__ == "__main__":
    run()
