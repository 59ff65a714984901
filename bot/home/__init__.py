"""The App Home's reads (`reads`): what a person sees when they open the bot, their plate and the team's
week."""
