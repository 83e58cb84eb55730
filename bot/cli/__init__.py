"""faqbot's command line (`faqbot = "bot.cli:main"`): see `bot.cli.app`."""

from bot.cli.app import main

__all__ = ["main"]
