"""`python -m bot` runs the bot, like `interview-bot run`; `python -m bot VERB` runs another verb."""

import sys

from bot.cli.main import main

sys.exit(main(sys.argv[1:] or ["run"]))
